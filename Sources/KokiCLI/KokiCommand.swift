import ArgumentParser
import KokiApp

/// The `koki` command: the ledger of the late-stage elderly medical care system (後期高齢者医療制度).
public struct KokiCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "koki",
        abstract: "An event-sourced ledger for late-stage elderly medical care (後期高齢者医療制度).",
        discussion: """
            Every decision and payment is appended as an immutable event to one SQLite ledger file; \
            queries and notices are answered from projections folded from those events.

            The ledger is --ledger PATH (or $KOKI_LEDGER, else ./koki.ledger). Every command that opens it \
            needs a session (`koki login OPERATOR`) whose operator's roles may use the command's function \
            (`koki roles show`); refusals and every read of personal data are recorded (`koki audit log`). \
            Personal data is sealed under per-person keys wrapped by the master key file (--master-key, \
            $KOKI_MASTER_KEY, else the ledger's path + .key).

            Screens for staff are in Japanese (和暦 dates, grouped amounts, the terms of one labels table a \
            city can correct: `koki labels`); --json, CSV and files keep English keys and ISO dates. \
            KOKI_DATES=iso prints ISO dates on the screens.

            \(ExitStatus.table)
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, LoginCommand.self, LogoutCommand.self, WhoAmICommand.self, OperatorCommand.self,
            RolesCommand.self, SecurityCommand.self, AuditCommand.self, MyNumberCommand.self, EraseCommand.self,
            TransferCommand.self, NoticesCommand.self, CertificateCommand.self, ApplicationCommand.self,
            CardCommand.self, CopayCommand.self, BenefitCommand.self,
            SimulateCommand.self, DemoCommand.self, PersonCommand.self, HouseholdCommand.self, MailCommand.self,
            EligibilityCommand.self,
            IncomeCommand.self, InsuredCommand.self, RatesCommand.self, CalendarCommand.self, AssessCommand.self,
            PremiumCommand.self, PayCommand.self, AccountCommand.self, RefundCommand.self, DebitCommand.self,
            KonbiniCommand.self, PensionCommand.self, UnmatchedCommand.self, RevenueCommand.self, UnionCommand.self, ArrearsCommand.self,
            DunningCommand.self, RemindersCommand.self, ContactCommand.self, PlanCommand.self, ReductionCommand.self,
            SeizureCommand.self, EnforcementCommand.self, DeferralCommand.self, PrescriptionCommand.self, CloseYearCommand.self,
            HistoryCommand.self, LabelsCommand.self,
            WhatIfCommand.self,
            ExplainCommand.self, ReplayCommand.self, RebuildCommand.self, BalancesCommand.self, CalcCommand.self,
            EventsCommand.self,
            StreamsCommand.self,
            HeadCommand.self,
            VerifyCommand.self, MigrateCommand.self, ServeCommand.self, TestingCommand.self,
        ]
    )

    public init() {}
}
