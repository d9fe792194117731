import KokiCLI

@main
enum Koki {
    static func main() {
        KokiMain.main()
    }
}
