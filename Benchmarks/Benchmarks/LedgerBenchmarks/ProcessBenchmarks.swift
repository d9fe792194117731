import Benchmark
import Foundation

// A staff command is a fresh process: what it costs to start, before any ledger is opened, is
// paid on every command at the counter. `koki head --help` parses the command line and prints the
// command's help (the whole tree of commands is built, as for any command), beside a fresh
// `sqlite3` process answering one query: the floor of a process that does something.
//
// The koki binary is `../.build/release/koki` (build it first: `swift build -c release --product
// koki` in the package), or `$KOKI_BIN`.

func processBenchmarks() {
    Benchmark(
        "Process: a fresh koki process parsing its command line (koki head --help), "
            + "vs a fresh sqlite3 process",
        configuration: .init(
            metrics: [
                .wallClock, Metric.cost("koki p50 µs"), Metric.cost("sqlite3 p50 µs"), Metric.cost("koki/sqlite3 ‰"),
            ],
            maxIterations: 3)
    ) { benchmark in
        let koki = ProcessInfo.processInfo.environment["KOKI_BIN"] ?? "../.build/release/koki"
        precondition(FileManager.default.isExecutableFile(atPath: koki), "no koki binary at \(koki): build it first")
        func p50(_ executable: String, _ arguments: [String], runs: Int = 25) throws -> Int {
            var times: [Int] = []
            for _ in 0..<runs {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                let start = DispatchTime.now().uptimeNanoseconds
                try process.run()
                process.waitUntilExit()
                times.append(Int(DispatchTime.now().uptimeNanoseconds - start) / 1_000)
                let status = process.terminationStatus
                precondition(status == 0, "\(executable) \(arguments) exited with \(status)")
            }
            return times.sorted()[runs / 2]
        }
        let kokiTime = try p50(koki, ["head", "--help"])
        let sqliteTime = try p50("/usr/bin/sqlite3", [":memory:", "SELECT 1"])
        benchmark.measurement(Metric.cost("koki p50 µs"), kokiTime)
        benchmark.measurement(Metric.cost("sqlite3 p50 µs"), sqliteTime)
        benchmark.measurement(Metric.cost("koki/sqlite3 ‰"), kokiTime * 1_000 / max(1, sqliteTime))
    }
}
