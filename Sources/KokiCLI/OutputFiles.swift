import Foundation
import KokiApp
import KokiDomain

/// The files a command writes where one of its options says (`certificate --html`, `notices … --out`,
/// `transfer --out`, `debit request --out`, `replay --into`).
///
/// A path is used as given — the operator writes with their own rights, on the machine they run
/// `koki` on (with `--server` that is the client's: the server sends the documents and the client
/// writes them) — except that no option ever writes over the ledger, its `-wal`, `-shm` or
/// `-journal` file, or its master key: that is refused (exit 65) naming the path.
enum OutputFiles {
    /// The path to write for `given`, the value of `option`, after the checks above. Call it right
    /// after the command is authorized, before anything is recorded, so a refused path appends nothing.
    static func path(_ given: String, option: String, options: LedgerOptions) throws -> String
    {
        guard !given.isEmpty, !given.contains("\0") else {
            throw CLIFailure(.invalidInput, "\(option) names no file")
        }
        try refuseLedgerFile(given, option: option, options: options)
        return given
    }

    /// The files that are the ledger: itself, its SQLite side files, its master key.
    static func ledgerFiles(_ options: LedgerOptions) -> [String] {
        var files = [options.masterKeyFile]
        if !options.isPostgres {
            let ledger = options.ledgerPath
            files += [ledger, ledger + "-wal", ledger + "-shm", ledger + "-journal"]
        }
        return files
    }

    /// Refuses a path that is (or, through links, would write) one of the ledger's files.
    static func refuseLedgerFile(_ path: String, option: String, options: LedgerOptions) throws {
        let target = canonical(path)
        var targetInfo = stat()
        let targetExists = stat(path, &targetInfo) == 0
        for file in ledgerFiles(options) {
            var info = stat()
            let sameFile =
                targetExists && stat(file, &info) == 0 && info.st_dev == targetInfo.st_dev
                && info.st_ino == targetInfo.st_ino
            if sameFile || canonical(file) == target {
                throw CLIFailure(
                    .invalidInput,
                    "\(option) \(path) is the ledger's own file (\(file)): koki never writes over the ledger, its WAL or its key")
            }
        }
    }

    /// A path with its links and `..` resolved as far as the file system has it: the real path of
    /// the file, or of its folder followed by its name.
    static func canonical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if let real = realpath(absolute, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        let url = URL(fileURLWithPath: absolute)
        let folder = url.deletingLastPathComponent().path
        if let real = realpath(folder, nil) {
            defer { free(real) }
            return String(cString: real) + "/" + url.lastPathComponent
        }
        return url.standardizedFileURL.path
    }

    /// Writes a file at a path ``path(_:option:options:)`` returned, readable by its owner only,
    /// replacing what is there unless it is the ledger's.
    static func save(_ data: Data, to path: String, option: String, options: LedgerOptions) throws {
        try refuseLedgerFile(path, option: option, options: options)
        try writePrivately(data, to: path)
    }

    /// Creates a new file for writing (owner-only, exclusively) and returns its descriptor.
    static func create(_ path: String, option: String, options: LedgerOptions) throws -> Int32 {
        try refuseLedgerFile(path, option: option, options: options)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw CLIFailure(.failure, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// Moves a finished file into place.
    static func move(_ from: String, to path: String, option: String, options: LedgerOptions) throws {
        try refuseLedgerFile(path, option: option, options: options)
        guard rename(from, path) == 0 else { throw CLIFailure(.failure, "cannot move the file to \(path)") }
    }
}

extension LedgerOptions {
    /// Runs a request that records a file the city sends (a request to the insurers or the bank)
    /// and writes it to `out`: where it writes is checked once the operator was, before anything
    /// is recorded (an existing file is refused); a file that cannot be written after the
    /// recording is reported with the digest recorded, to be written again. An empty file is not
    /// written.
    func runWritingFile<R: KokiRequest>(
        _ type: R.Type, out: String, recorded what: String, _ make: () throws -> R,
        file: (R.Result) -> (bytes: Data, digest: String)
    ) throws -> (path: String, result: R.Result) {
        let (path, result) = try run(R.self) {
            let path = try OutputFiles.path(out, option: "--out", options: self)
            guard !FileManager.default.fileExists(atPath: path) else {
                throw KokiError(.invalidInput, "\(path) already exists: choose another --out")
            }
            return path
        } _: { _ in try make() }
        let (bytes, digest) = file(result)
        if !bytes.isEmpty {
            do {
                try OutputFiles.save(bytes, to: path, option: "--out", options: self)
            } catch let failure as CLIFailure {
                throw CLIFailure(
                    failure.status, "\(failure.message) (\(what) recorded, with the file's digest \(digest))")
            }
        }
        return (path, result)
    }
}
