import ArgumentParser
import KokiApp

/// An error the CLI reports as one line and an exit status.
struct CLIFailure: Error, CustomStringConvertible {
    var status: ExitStatus
    var message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }

    /// Classifies any error from the layers below (see ``ExitStatus/classify(_:)``).
    init(_ error: any Error) {
        switch error {
        case let failure as CLIFailure:
            self = failure
        case let error as ValidationError:
            self.init(.usage, error.message)
        default:
            let (status, message) = ExitStatus.classify(error)
            self.init(status, message)
        }
    }
}

/// Runs a command body, turning any error into one line on stderr and koki's exit status.
func reporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        let failure = CLIFailure(error)
        Output.error("koki: エラー: \(StaffWording.namingFields(failure.message))")
        throw ExitCode(failure.status.rawValue)
    }
}
