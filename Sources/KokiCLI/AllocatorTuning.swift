#if os(Linux)
    import CMalloc
    import Glibc
#endif

/// The C library's allocator asked to back its heap with the kernel's huge pages (2 MB) where
/// the system offers them on request (transparent huge pages in `madvise` mode, this machine's
/// and Debian's default).
///
/// A simulation of ten years holds a city of several gigabytes and touches it all over for
/// every command: each account, register entry and assessment it reads is a page the processor
/// must translate, and with 4 KB pages those translations miss the processor's cache more the
/// larger the city grows. That was the cost that grew most over the years, spread over every
/// function (`swift_retain`, hash lookups, the allocator's own bins): the same code ran slower
/// in the tenth year than in the first. With huge pages, one translation covers 512 times the
/// memory (Benchmarks/README.md, "Huge pages for the city a simulation holds").
///
/// glibc reads that setting (`glibc.malloc.hugetlb=1`) only from `GLIBC_TUNABLES` when a program
/// starts, so such a command starts itself again at once, the same program with the same
/// arguments, with the setting added. A `glibc.malloc.hugetlb` setting already given (by the
/// person running koki: `0` turns it off) is kept as it is, and a program started with
/// privileges (where glibc ignores the variable) is not started again. Where the system gives no
/// huge pages, the setting changes nothing.
enum AllocatorTuning {
    /// The setting added.
    static let hugePages = "glibc.malloc.hugetlb=1"

    /// The commands tuned: long runs alone on their ledger, where one more start of the program
    /// costs nothing against the run.
    static let commands: Set<String> = ["simulate"]

    /// Whether a command line is one of ``commands`` run for its work (not for its help).
    static func tunes(_ arguments: [String]) -> Bool {
        guard let first = arguments.first, commands.contains(first) else { return false }
        return !arguments.contains { ["-h", "--help", "--version"].contains($0) }
    }

    /// The value `GLIBC_TUNABLES` should have for a command tuned, given its value now: `nil`
    /// when it already sets huge pages (ours, or a choice of the person running koki).
    static func tunables(_ current: String?) -> String? {
        guard let current, !current.isEmpty else { return hugePages }
        let settings = current.split(separator: ":")
        if settings.contains(where: { $0.hasPrefix("glibc.malloc.hugetlb=") }) { return nil }
        return current + ":" + hugePages
    }

    /// Starts this program again with the setting, if `arguments` (without the program's name)
    /// are a command tuned and the setting is missing; returns only where it does not (or cannot),
    /// and the command then runs untuned, as before.
    static func restartTunedIfNeeded(_ arguments: [String]) {
        #if os(Linux)
            guard tunes(arguments), getauxval(UInt(AT_SECURE)) == 0 else { return }
            let current = getenv("GLIBC_TUNABLES").map { String(cString: $0) }
            guard let value = tunables(current) else { return }
            guard setenv("GLIBC_TUNABLES", value, 1) == 0 else { return }
            // The program by its own path, so that it keeps its name (`ps`, `top`) as started.
            var path = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink("/proc/self/exe", &path, Int(PATH_MAX))
            _ = execv(length > 0 ? path : Array("/proc/self/exe".utf8CString), CommandLine.unsafeArgv)
            // Not started again (no /proc, say): run as this process is, and leave the variable
            // as it was for whatever this command starts.
            if let current { setenv("GLIBC_TUNABLES", current, 1) } else { unsetenv("GLIBC_TUNABLES") }
        #endif
    }
}
