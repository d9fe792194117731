import KokiCLI

@main
enum Koki {
    static func main() {
        KokiCommand.main()
    }
}
