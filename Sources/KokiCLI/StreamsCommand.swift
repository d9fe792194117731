import ArgumentParser
import KokiApp

struct StreamsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streams",
        abstract: "List streams with their version and first and last positions."
    )

    @OptionGroup var options: LedgerOptions

    @Option(help: ArgumentHelp("Only streams whose names start with this (e.g. person/).", valueName: "prefix"))
    var prefix: String = ""

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    func run() throws {
        try reporting {
            let streams = try options.run(ListStreams(prefix: prefix))
            if json {
                for s in streams {
                    Output.line(
                        JSON.object([
                            ("stream", JSON.string(s.stream)), ("version", String(s.version)),
                            ("firstPosition", String(s.firstPosition)), ("lastPosition", String(s.lastPosition)),
                        ]))
                }
            } else {
                let rows = streams.map {
                    [$0.stream, String($0.version), String($0.firstPosition), String($0.lastPosition)]
                }
                Table.render(["STREAM", "VERSION", "FIRST", "LAST"], rows).forEach(Output.line)
            }
        }
    }
}
