import Foundation
import Testing

/// The shape the README's "How it is built" draws, checked on the sources: the doors reach koki
/// only through requests, and no storage client is imported above the stores.
struct ArchitectureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every Swift file under `Sources/<target>`, with its text.
    static func sources(of target: String) throws -> [(path: String, text: String)] {
        let folder = root.appendingPathComponent("Sources/\(target)")
        guard let walk = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        return try walk.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.map {
            ($0.path.replacingOccurrences(of: root.path + "/", with: ""), try String(contentsOf: $0, encoding: .utf8))
        }
    }

    static let doors = ["KokiCLI", "KokiServer", "koki"]

    @Test func theDoorsTargetsExistAndHoldSources() throws {
        #expect(try Self.sources(of: "KokiCLI").count > 20)
        #expect(try Self.sources(of: "KokiSimulation").contains { $0.text.contains("@_spi(Batch) import KokiApp") })
    }

    @Test func noDoorImportsTheBatchInterface() throws {
        for target in Self.doors {
            for file in try Self.sources(of: target) {
                #expect(!file.text.contains("@_spi("), "\(file.path) imports an SPI: a door goes through requests")
            }
        }
    }

    @Test func noStorageClientAboveTheStores() throws {
        let above = ["KokiDomain", "KokiApp", "KokiReadModels", "KokiNotices", "KokiSimulation", "KokiCLI", "KokiServer"]
        for target in above {
            for file in try Self.sources(of: target) {
                for line in file.text.split(separator: "\n") where line.hasPrefix("import ") {
                    let module = line.dropFirst("import ".count).trimmingCharacters(in: .whitespaces)
                    #expect(!["GRDB", "GRDBSQLite", "PostgresNIO", "NIOPosix"].contains(module), "\(file.path): \(line)")
                }
            }
        }
    }

    @Test func thePureCoreImportsNothingBelowIt() throws {
        for file in try Self.sources(of: "KokiDomain") {
            let imports = file.text.split(separator: "\n").filter { $0.hasPrefix("import ") }
            #expect(imports.isEmpty, "\(file.path): \(imports)")
        }
    }
}
