import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Headless Chromium driven through its DevTools protocol (a WebSocket to the page): what the
/// console's tests need of a real browser — navigate, type into fields and press buttons by
/// running script in the page, read the page, take a screenshot. Cookies, redirects, the
/// Content-Security-Policy and the style sheet are the browser's own.
final class ChromiumDriver: @unchecked Sendable {
    // @unchecked: used from one test at a time.
    let pid: pid_t
    /// Chromium reads the protocol from its fd 3 and writes to its fd 4 (`--remote-debugging-pipe`):
    /// no port, no network client — this machine's URLSession speaks no WebSocket.
    private let toBrowser: Int32
    private let fromBrowser: Int32
    private var pending: [UInt8] = []
    /// The page's session (`nil` while talking to the browser itself).
    private var session: String?
    private var nextID = 0

    struct Failure: Error, CustomStringConvertible { let description: String }

    init(binary: String, profile: String) throws {
        try? FileManager.default.removeItem(atPath: profile)
        var down: [Int32] = [0, 0]
        var up: [Int32] = [0, 0]
        guard pipe(&down) == 0, pipe(&up) == 0 else { throw Failure(description: "no pipes") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, down[0], 3)
        posix_spawn_file_actions_adddup2(&actions, up[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [
            binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1366,768",
            "--remote-debugging-pipe", "--user-data-dir=\(profile)", "about:blank",
        ]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        guard posix_spawn(&child, binary, &actions, nil, argv, environ) == 0 else {
            throw Failure(description: "Chromium did not start")
        }
        pid = child
        close(down[0])
        close(up[1])
        toBrowser = down[1]
        fromBrowser = up[0]
        let deadline = Date().addingTimeInterval(30)
        var target: String?
        while target == nil, Date() < deadline {
            let targets = try call("Target.getTargets")["targetInfos"] as? [[String: Any]] ?? []
            target = targets.first { $0["type"] as? String == "page" }?["targetId"] as? String
            if target == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        guard let target else { throw Failure(description: "Chromium has no page") }
        session = try call("Target.attachToTarget", ["targetId": target, "flatten": true])["sessionId"] as? String
    }

    deinit {
        close(toBrowser)
        close(fromBrowser)
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// The next message Chromium wrote (NUL-terminated JSON), waiting at most `timeout`.
    private func message(timeout: TimeInterval) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = pending.firstIndex(of: 0) {
                let bytes = Array(pending[..<end])
                pending.removeFirst(end + 1)
                return (try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]) ?? [:]
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw Failure(description: "Chromium said nothing") }
            var fd = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
            guard poll(&fd, 1, Int32(left * 1000)) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            let n = read(fromBrowser, &buffer, buffer.count)
            guard n > 0 else { throw Failure(description: "Chromium closed its pipe") }
            pending += buffer[..<n]
        }
    }

    /// Calls a DevTools method and returns its result (events in between are skipped).
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:]) throws -> [String: Any] {
        nextID += 1
        let id = nextID
        var envelope: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { envelope["sessionId"] = session }
        var bytes = Array(try JSONSerialization.data(withJSONObject: envelope)) + [0]
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(toBrowser, $0.baseAddress! + written, $0.count - written) }
            guard n > 0 else { throw Failure(description: "Chromium's pipe is closed") }
            written += n
        }
        let deadline = Date().addingTimeInterval(30)
        while true {
            let object = try message(timeout: deadline.timeIntervalSinceNow)
            guard object["id"] as? Int == id else { continue }
            if let error = object["error"] { throw Failure(description: "\(method): \(error)") }
            return object["result"] as? [String: Any] ?? [:]
        }
    }

    /// Runs `script` in the page and returns its value.
    @discardableResult
    func evaluate(_ script: String) throws -> Any? {
        let result = try call("Runtime.evaluate", ["expression": script, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] {
            throw Failure(description: "script failed: \(script.prefix(300)): \(exception)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Waits until the page at a new address has loaded (after a navigation or a form's submit).
    func waitForPage(leaving previous: String?) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let state = try? evaluate("document.readyState + ' ' + location.href") as? String
            if let state, state.hasPrefix("complete "), previous.map({ state != "complete " + $0 }) ?? true { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Failure(description: "the page did not load")
    }

    func open(_ url: String) throws {
        let before = try evaluate("location.href") as? String
        try call("Page.navigate", ["url": url])
        try waitForPage(leaving: before == url ? nil : before)
    }

    /// Types `values` into the named fields of the form matching `form` and submits it by its
    /// button, as a clerk does; then waits for the next page.
    func submit(_ form: String, _ values: [String: String]) throws {
        let assignments = try values.map { name, value -> String in
            let json = String(decoding: try JSONSerialization.data(withJSONObject: [value]), as: UTF8.self)
            return "f.elements[\(String(decoding: try JSONSerialization.data(withJSONObject: [name]), as: UTF8.self))[0]].value = \(json)[0];"
        }.joined()
        try evaluate(
            "(() => { const f = document.querySelector(\(String(decoding: try JSONSerialization.data(withJSONObject: [form]), as: UTF8.self))[0]); \(assignments) window.__old = true; f.querySelector('button[type=submit]').click(); return true })()"
        )
        // The new page replaces the old one; wait until the old document is gone and the new one loaded.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let marker = try? evaluate("window.__old === undefined && document.readyState === 'complete'") as? Bool,
                marker, (try? evaluate("location.href") as? String) != nil
            {
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// The page's text as a reader sees it.
    func text() throws -> String { (try evaluate("document.body.innerText") as? String) ?? "" }

    func screenshot(_ path: String) throws {
        let result = try call("Page.captureScreenshot", ["format": "png"])
        guard let base64 = result["data"] as? String, let data = Data(base64Encoded: base64) else {
            throw Failure(description: "no screenshot")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }
}
