import Foundation
@testable import KokiCLI
import KokiTestSupport
import Testing

/// The allocator's setting a simulation starts itself again with (``AllocatorTuning``): huge pages.
@Suite struct AllocatorTuningTests {
    @Test func theSettingIsAddedToWhatIsThereUnlessHugePagesAreAlreadySet() {
        #expect(AllocatorTuning.tunables(nil) == "glibc.malloc.hugetlb=1")
        #expect(AllocatorTuning.tunables("") == "glibc.malloc.hugetlb=1")
        #expect(
            AllocatorTuning.tunables("glibc.malloc.mxfast=0") == "glibc.malloc.mxfast=0:glibc.malloc.hugetlb=1")
        // Set already: by the restart itself, or by the person running koki (0: off).
        #expect(AllocatorTuning.tunables("glibc.malloc.hugetlb=1") == nil)
        #expect(AllocatorTuning.tunables("glibc.malloc.mxfast=0:glibc.malloc.hugetlb=0") == nil)
        // A name that only begins like it is another setting.
        #expect(
            AllocatorTuning.tunables("glibc.malloc.hugetlbs=1") == "glibc.malloc.hugetlbs=1:glibc.malloc.hugetlb=1")
    }

    @Test func onlyASimulationRunForItsWorkIsTuned() {
        #expect(AllocatorTuning.tunes(["simulate", "--insured", "100"]))
        #expect(AllocatorTuning.tunes(["simulate"]))
        #expect(!AllocatorTuning.tunes(["simulate", "--help"]))
        #expect(!AllocatorTuning.tunes(["simulate", "-h"]))
        #expect(!AllocatorTuning.tunes(["simulate", "--version"]))
        #expect(!AllocatorTuning.tunes(["person", "show", "simulate"]))
        #expect(!AllocatorTuning.tunes(["rebuild"]))
        #expect(!AllocatorTuning.tunes([]))
    }

    #if os(Linux)
        /// Runs `koki simulate` and reads its environment from /proc while it runs: whether the
        /// program it became carried the setting, with its outcome and the ledger's head.
        private func simulate(_ folder: TemporaryFolder, _ name: String, tunables: String) throws -> (
            sawSetting: Bool, sawOthers: Bool, names: Set<String>, status: Int32, head: String
        ) {
            let ledger = folder.path("\(name).ledger")
            let (process, out, err) = try KokiProcess.start(
                ["simulate", "--ledger", ledger, "--insured", "60", "--years", "1", "--seed", "75", "--quiet"],
                environment: ["GLIBC_TUNABLES": tunables])
            var sawSetting = false
            var sawOthers = false
            var names: Set<String> = []
            let environ = "/proc/\(process.processIdentifier)/environ"
            while process.isRunning {
                if let data = FileManager.default.contents(atPath: environ) {
                    let entries = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                    for entry in entries where entry.hasPrefix("GLIBC_TUNABLES=") {
                        if entry == "GLIBC_TUNABLES=" + (AllocatorTuning.tunables(tunables) ?? "") {
                            sawSetting = true
                        } else {
                            sawOthers = true
                        }
                    }
                }
                if let comm = FileManager.default.contents(atPath: "/proc/\(process.processIdentifier)/comm") {
                    names.insert(String(decoding: comm, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                }
                usleep(2_000)
            }
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            _ = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let head = stdout.split(separator: "\n").last.map(String.init) ?? ""
            return (sawSetting, sawOthers, names, process.terminationStatus, head)
        }

        @Test func aSimulationStartsItselfAgainWithTheSettingAndRecordsTheSameLedger() throws {
            let folder = try TemporaryFolder()
            let tuned = try simulate(folder, "tuned", tunables: "")
            #expect(tuned.status == 0)
            #expect(tuned.sawSetting, "the simulation never ran with GLIBC_TUNABLES set")
            // Started again by its own path, it keeps its name (what `ps` and `top` show).
            #expect(tuned.names == ["koki"], "\(tuned.names)")
            // The person's own choice is kept: the program is not started again.
            let own = try simulate(folder, "own", tunables: "glibc.malloc.hugetlb=0")
            #expect(own.status == 0)
            #expect(!own.sawSetting)
            #expect(own.sawOthers)
            // The setting changes how fast, not what: the same ledger, byte for byte.
            #expect(tuned.head.hasPrefix("verify: ok"), "\(tuned.head)")
            #expect(tuned.head == own.head)
        }
    #endif
}
