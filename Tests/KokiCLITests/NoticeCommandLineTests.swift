import Foundation
import KokiTestSupport
import Testing

/// `koki notices` and `koki certificate` on a small simulated city: settings first, the role
/// checked, a batch written (print data, dispatch list, pages) and recorded, nothing issued twice,
/// a reissue identical to the page first written, the history and the audit trail.
@Suite struct NoticeCommandLineTests {
    @Test func aPaymentRunDunningLettersAReissueAndACertificate() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("city.ledger")
        let simulate = try KokiProcess.run([
            "simulate", "--ledger", ledger, "--insured", "40", "--years", "1", "--seed", "75", "--quiet",
        ])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        let admin = try Secured.initialize(ledger, folder: folder.url.path)
        let op = try Secured.enroll("op", admin: admin, folder: folder.url.path)
        let counter = try Secured.enroll("counter1", roles: ["counter"], admin: admin, folder: folder.url.path)
        func koki(_ arguments: [String], _ env: [String: String]) throws -> KokiProcess.Outcome {
            try KokiProcess.run(arguments, environment: env)
        }
        let out = folder.path("print")
        let payment = ["notices", "payment", "--fiscal-year", "2025", "--on", "2025-07-15", "--out", out, "--html"]
        let unset = try koki(payment, op)
        #expect(unset.status == 65 && unset.stderr.contains("通知書の設定がありません"))
        let settings = folder.path("notices.json")
        try
            #"{"city": "松戸市", "issuer": "松戸市長", "department": "国民健康保険課", "address": "千葉県松戸市根本387-5", "phone": "047-366-1111", "barcodeIssuer": "912345"}"#
            .write(toFile: settings, atomically: true, encoding: .utf8)
        #expect(try koki(["notices", "settings", "adopt", "--file", settings], op).status == 0)
        #expect(try koki(payment, counter).status == 77, "a counter operator issues no payment notices")

        let issued = try koki(payment, op)
        #expect(issued.status == 0, "\(issued.stderr)")
        // 「納入通知書 41通を令和7年7月15日付けで発行…」
        let count = try #require(issued.stdout.firstMatch(of: /(\d+)通/).flatMap { Int($0.1) }, "\(issued.stdout)")
        #expect(count > 30)
        let csv = try String(contentsOfFile: out + "/payment-2025-07-15.csv", encoding: .utf8)
        #expect(csv.split(separator: "\r\n").count == count + 1)
        #expect(csv.hasPrefix("documentNumber,noticeDate,addresseeName"))
        let dispatch = try String(contentsOfFile: out + "/payment-2025-07-15.dispatch.txt", encoding: .utf8)
        #expect(dispatch.contains("documents: \(count)\n"))
        let pages = try FileManager.default.contentsOfDirectory(atPath: out + "/html")
        #expect(pages.count == count)
        // Nothing is issued twice: the year's notices are all out.
        let again = try koki(
            ["notices", "payment", "--fiscal-year", "2025", "--on", "2025-07-16", "--out", out], op)
        #expect(again.stdout.hasPrefix("令和7年7月16日付けで発行する納入通知書はありません"))

        // A reissue is the same page, byte for byte; the history shows both.
        let number = String(csv.split(separator: "\r\n")[1].split(separator: ",")[0])
        let person = String(number.split(separator: "-")[1])
        let refused = try koki(["notices", "reissue", number], counter)
        #expect(refused.status == 77 && refused.stderr.contains("(assessment.write) の権限がありません"), "\(refused.stderr)")
        let reissued = folder.path("reissue.html")
        #expect(try koki(["notices", "reissue", number, "--html", reissued], op).status == 0)
        #expect(
            FileManager.default.contents(atPath: reissued)
                == FileManager.default.contents(atPath: out + "/html/\(number).html"))
        let history = try koki(["notices", "history", person], op).stdout
        #expect(history.contains(number) && history.contains("（再発行）") && history.contains("再発行"))

        // Dunning letters as JSON lines; a certificate on request.
        let dunning = try koki(["notices", "dunning", "--run", "2025-08-20", "--out", out, "--format", "jsonl"], op)
        #expect(dunning.status == 0, "\(dunning.stderr)")
        let certificate = try koki(
            ["certificate", person, "--fiscal-year", "2025", "--on", "2026-04-10", "--html", folder.path("c.html")], op)
        #expect(certificate.status == 0 && certificate.stdout.contains(#""fiscalYear":"令和7年度""#))
        // Generating notices is a read of personal data, recorded with its purpose.
        let log = try koki(["audit", "log", "--person", person], op).stdout
        #expect(log.contains("payment notices 2025-07-15") && log.contains("reissue \(number)"))
        #expect(log.contains("notices history"))
    }
}
