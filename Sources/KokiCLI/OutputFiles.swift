import Foundation
import KokiApp

/// The files a command writes where one of its options says (`certificate --html`, `notices … --out`,
/// `transfer --out`, `debit request --out`, `replay --into`).
///
/// On the command line a path is used as given — the operator writes with their own rights — except
/// that no option ever writes over the ledger, its `-wal`, `-shm` or `-journal` file, or its master
/// key: that is refused (exit 65) naming the path.
///
/// Over HTTP (`koki serve`) a client never chooses a place on the server's disk: a path is taken
/// relative to the output directory the server was started with (`--output-dir`; without one, every
/// option that writes a file is refused), may not climb out of it (`..`), is never followed through
/// a symbolic link, and never replaces a file: each directory is opened without following links
/// (`O_NOFOLLOW`) and each file created exclusively (`O_EXCL`), so a link planted after the check is
/// refused too.
enum OutputFiles {
    /// The path to write for `given`, the value of `option`, after the checks above. Call it right
    /// after the command is authorized, before anything is recorded, so a refused path appends nothing.
    static func path(_ given: String, option: String, options: LedgerOptions, directory: Bool = false) throws -> String
    {
        guard !given.isEmpty, !given.contains("\0") else {
            throw CLIFailure(.invalidInput, "\(option) names no file")
        }
        let resolved: String
        if let invocation = Invocation.current {
            guard let root = invocation.outputDirectory else {
                throw CLIFailure(
                    .invalidInput,
                    "\(option) writes a file on the server's host, and this server writes none: its operator starts "
                        + "it with `koki serve --output-dir DIR` to allow files under DIR (or run the command locally)")
            }
            var relative = given
            if relative.hasPrefix("/") {
                guard relative.hasPrefix(root + "/") else {
                    throw CLIFailure(
                        .invalidInput,
                        "\(option) \(given) is outside the server's output directory: give a path inside it (relative)")
                }
                relative.removeFirst(root.count + 1)
            }
            let parts = try components(relative, option: option)
            resolved = root + "/" + parts.joined(separator: "/")
            // A link anywhere on the way is refused now (and again, race-free, when writing).
            var walked = root
            for (index, part) in parts.enumerated() {
                walked += "/" + part
                var info = stat()
                guard lstat(walked, &info) == 0 else { break }
                if index == parts.count - 1, !directory {
                    throw CLIFailure(
                        .invalidInput, "\(option) \(given) already exists: the server never writes over a file")
                }
                if info.st_mode & S_IFMT == S_IFLNK {
                    throw CLIFailure(
                        .invalidInput,
                        "\(option) \(given): \(walked) is a symbolic link; the server follows none out of its output directory")
                }
            }
        } else {
            resolved = given
        }
        try refuseLedgerFile(resolved, option: option, options: options)
        return resolved
    }

    /// The components of a path relative to the output directory: no `..`, no empty or `.` parts.
    static func components(_ relative: String, option: String) throws -> [String] {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.isEmpty else { throw CLIFailure(.invalidInput, "\(option) names no file") }
        if parts.contains("..") {
            throw CLIFailure(
                .invalidInput, "\(option) \(relative) climbs out with '..': the server writes only inside its output directory")
        }
        return parts.filter { $0 != "." }
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

    /// Writes a new file at a path ``path(_:option:options:)`` returned, readable by its owner only:
    /// over HTTP exclusively and without following links (see above); on the command line replacing
    /// what is there, as before, unless it is the ledger's.
    static func save(_ data: Data, to path: String, option: String, options: LedgerOptions) throws {
        guard Invocation.current != nil else {
            try refuseLedgerFile(path, option: option, options: options)
            try writePrivately(data, to: path)
            return
        }
        let fd = try create(path, option: option, options: options)
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else {
            throw CLIFailure(.failure, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Creates a new file for writing (owner-only, exclusively) and returns its descriptor: over HTTP
    /// inside the output directory, without following links.
    static func create(_ path: String, option: String, options: LedgerOptions) throws -> Int32 {
        try refuseLedgerFile(path, option: option, options: options)
        guard let invocation = Invocation.current else {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else {
                throw CLIFailure(.failure, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            return fd
        }
        guard let root = invocation.outputDirectory, path.hasPrefix(root + "/") else {
            throw CLIFailure(.invalidInput, "\(option) \(path) is outside the server's output directory")
        }
        let parts = try components(String(path.dropFirst(root.count + 1)), option: option)
        var directory = open(root, O_RDONLY | O_DIRECTORY)
        guard directory >= 0 else {
            throw CLIFailure(.failure, "cannot open the output directory \(root): \(String(cString: strerror(errno)))")
        }
        for part in parts.dropLast() {
            var next = openat(directory, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
            if next < 0, errno == ENOENT {
                mkdirat(directory, part, 0o700)
                next = openat(directory, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
            }
            let failure = errno
            close(directory)
            guard next >= 0 else {
                throw CLIFailure(
                    .invalidInput,
                    "\(option) \(path): \(part) is not a directory of the output directory (a link or a file: \(String(cString: strerror(failure))))"
                )
            }
            directory = next
        }
        let fd = openat(directory, parts[parts.count - 1], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
        let failure = errno
        close(directory)
        guard fd >= 0 else {
            if failure == EEXIST {
                throw CLIFailure(
                    .invalidInput, "\(option) \(path) already exists: the server never writes over a file")
            }
            throw CLIFailure(
                .invalidInput, "\(option) \(path) cannot be created: \(String(cString: strerror(failure)))")
        }
        return fd
    }

    /// Moves a finished file into place: over HTTP never over an existing file or link (a hard link
    /// then the old name removed); on the command line a rename.
    static func move(_ from: String, to path: String, option: String, options: LedgerOptions) throws {
        try refuseLedgerFile(path, option: option, options: options)
        if Invocation.current != nil {
            guard link(from, path) == 0 else {
                throw CLIFailure(
                    .invalidInput,
                    "\(option) \(path) cannot be created: \(String(cString: strerror(errno))) (the server never writes over a file)")
            }
            unlink(from)
            return
        }
        guard rename(from, path) == 0 else { throw CLIFailure(.failure, "cannot move the file to \(path)") }
    }
}
