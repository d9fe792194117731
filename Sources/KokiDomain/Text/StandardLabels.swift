/// The standard labels table (用語表): the terms of the domain notes, as the counter and the
/// auditor read them. A city corrects a term in a labels file read over this one (see
/// ``Labels``); the keys are the interface and never change meaning.
public enum StandardLabels {
    /// The comment a labels file starts with (`koki labels export`).
    static let header = [
        "# koki の用語表（labels）: 一行に「キー = 表示する語」。",
        "# 直したい行だけを残したファイルを $KOKI_LABELS か、台帳のパス + .labels に置くと、標準の語に代わって表示されます。",
        "# キーは変えないでください。未知のキー・空の語・同じキーの二度書きは、ファイル名と行番号を示して拒否されます。",
        "# date.style = wareki（令和7年7月31日）または iso（2025-07-31）。環境変数 KOKI_DATES でも選べます。",
    ]

    /// The table, one `key = term` a line.
    public static let text = """
        date.style = wareki

        # 収納方法 (PaymentChannel)
        channel.counter = 窓口
        channel.bankDebit = 口座振替
        channel.convenienceStore = コンビニ
        channel.smartphone = スマホ決済
        channel.pensionDeduction = 年金天引き

        # 折衝方法 (ContactMethod)
        contactMethod.phone = 電話
        contactMethod.visitToOffice = 来庁
        contactMethod.homeVisit = 臨戸
        contactMethod.letter = 文書
        contactMethod.other = その他

        # 折衝記録の版
        contactChange.recorded = 記録
        contactChange.amended = 訂正
        contactChange.retracted = 取消

        # 資格取得事由
        acquisition.reachedAge75 = 年齢到達
        acquisition.disabilityCertified = 障害認定
        acquisition.movedIntoPrefecture = 転入
        acquisition.welfareEnded = 生活保護廃止

        # 資格喪失事由
        loss.died = 死亡
        loss.leftPrefecture = 転出
        loss.welfareStarted = 生活保護開始
        loss.disabilityConditionEnded = 障害認定の要件非該当
        loss.disabilityWithdrawn = 障害認定の撤回

        # 世帯
        householdRole.householder = 世帯主
        householdRole.member = 世帯員
        sex.male = 男
        sex.female = 女

        # 送付先・代理人
        mailRole.mailingAddress = 送付先
        mailRole.agent = 代理人
        mailRole.heirRepresentative = 相続人代表者

        # 徴収方法
        collectionMethod.ordinary = 普通徴収
        collectionMethod.pensionDeduction = 特別徴収
        charge.premium = 保険料
        charge.lateFee = 延滞金

        # 賦課の事由
        assessmentReason.annual = 当初賦課
        assessmentReason.joinedDuringYear = 年度途中の資格取得
        assessmentReason.reassessment = 更正
        assessmentReason.collectionChanged = 徴収方法の変更
        assessmentReason.collectionStarted = 特別徴収の開始
        assessmentReason.unionAdopted = 広域連合の決定

        # 特別徴収の判定
        pensionSelection.selected = 特別徴収の対象
        pensionSelection.noPensionInformation = 年金情報なし
        pensionSelection.newlyInsured = 新規の資格取得
        pensionSelection.pensionUnder180000 = 年金額18万円未満
        pensionSelection.careNotDeducted = 介護保険料が特別徴収でない
        pensionSelection.overHalf = 介護保険料との合算が年金額の2分の1を超える
        pensionSelection.switchedToDebit = 口座振替へ切替

        # 一部負担金の割合・均等割の軽減
        copayClass.one = 1割
        copayClass.two = 2割
        copayClass.three = 3割
        perCapitaReduction.none = 軽減なし
        perCapitaReduction.twoTenths = 2割軽減
        perCapitaReduction.fiveTenths = 5割軽減
        perCapitaReduction.sevenTenths = 7割軽減

        # 滞納整理
        writeOffReason.prescription = 時効
        writeOffReason.enforcementStopped = 執行停止
        planChange.agreed = 締結
        planChange.revised = 変更
        planChange.cancelled = 取消
        planChange.broken = 不履行
        planChange.completed = 完了
        seizureChange.started = 差押
        seizureChange.ended = 解除
        enforcementReason.noProperty = 滞納処分できる財産がない
        enforcementReason.hardship = 生活を著しく窮迫させるおそれ
        enforcementReason.unknownWhereabouts = 所在及び財産がともに不明
        deferralChange.granted = 許可
        deferralChange.extended = 延長
        deferralChange.ended = 終了
        deferralReason.disaster = 災害
        deferralReason.illness = 病気・負傷
        deferralReason.businessClosed = 事業の廃止・休止
        deferralReason.businessLoss = 事業の著しい損失
        deferralReason.similar = これらに類する事実
        deferralReason.lateAssessment = 賦課の遅延
        lateFeeShare.halved = 2分の1免除
        lateFeeShare.waived = 全額免除
        refundCause.overpaid = 過納
        refundCause.erroneous = 誤納

        # 口座振替・年金
        debitApplication.received = 受付
        debitApplication.sent = 金融機関へ送付
        debitApplication.accepted = 登録完了
        debitApplication.refused = 不備返戻
        debitApplication.withdrawn = 取下げ
        prepayment.chosen = 全期前納を選択
        prepayment.withdrawn = 全期前納を取消
        pensionSwitch.requested = 特別徴収から口座振替への切替を申出
        pensionSwitch.withdrawn = 特別徴収から口座振替への切替を取消

        # 通知書
        noticeKind.payment = 納入通知書
        noticeKind.dunning = 督促状
        noticeKind.reminder = 催告書
        noticeKind.refund = 還付通知書
        noticeKind.certificate = 納付済確認書
        noticeKind.debitStart = 口座振替開始通知書

        # 窓口
        applicantKind.person = 本人
        applicantKind.household = 同一世帯の方
        applicantKind.agent = 代理人
        applicantKind.heir = 相続人
        identityDocument.myNumberCard = マイナンバーカード
        identityDocument.driversLicense = 運転免許証
        identityDocument.passport = 旅券
        identityDocument.residenceCard = 在留カード
        identityDocument.twoDocuments = 書類2点
        identityDocument.byMail = 郵送
        applicationKind.eligibility = 資格取得・喪失届
        applicationKind.household = 住所・氏名・世帯変更届
        applicationKind.income = 所得申告
        applicationKind.debit = 口座振替依頼・廃止
        applicationKind.reduction = 保険料減免申請
        applicationKind.refundToHeir = 相続人への還付請求
        applicationKind.certificate = 資格確認書交付申請
        applicationKind.other = その他の届出
        applicationKind.mailing = 送付先・代理人・相続人代表者届
        applicationKind.deferral = 保険料徴収猶予申請
        certificateReason.acquisition = 資格取得
        certificateReason.renewal = 更新
        certificateReason.request = 申請
        certificateReason.lost = 紛失
        certificateReason.damaged = 破損・汚損
        certificateReason.changed = 記載事項の変更
        delivery.counter = 窓口交付
        delivery.mail = 郵送
        returnKind.returned = 返還
        returnKind.lost = 紛失
        benefitKind.medicalExpenses = 療養費
        benefitKind.highCost = 高額療養費
        benefitKind.funeral = 葬祭費
        benefitKind.combinedHighCost = 高額介護合算療養費
        benefitKind.transport = 移送費

        # 利用者の役割と状態
        role.counter = 窓口
        role.assessment = 賦課
        role.collection = 収納
        role.arrears = 滞納整理
        role.numberUse = 個人番号利用事務
        role.administrator = システム管理
        role.auditor = 監査
        # 移転（送付）の項目と送付先
        transferItem.insuredPerson = 被保険者情報
        transferItem.addressException = 住所地特例者情報
        transferItem.premium = 保険料情報
        transferItem.collection = 収納情報
        transferItem.eligibilityChange = 資格異動情報
        transferItem.benefitApplication = 給付申請
        transferItem.income = 税情報
        destination.union = 後期高齢者医療広域連合
        destination.residents = 市民課（住民記録）
        # 業務機能（権限表の機能）
        function.registerRead = 資格・本人情報の照会
        function.registerWrite = 資格・本人情報の更新
        function.assessmentRead = 賦課の照会
        function.assessmentWrite = 賦課の更新
        function.collectionRead = 収納の照会
        function.collectionWrite = 収納の更新
        function.arrearsRead = 滞納整理の照会
        function.arrearsWrite = 滞納整理の更新
        function.numberUse = 個人番号利用事務
        function.ledgerInspect = 台帳の点検
        function.ledgerMaintain = 台帳の保守
        function.auditRead = 監査ログの閲覧
        function.securityAdmin = セキュリティ管理
        function.transfer = 移転
        function.erasure = 消去
        function.counterRead = 窓口の照会
        function.counterWrite = 窓口の受付・交付
        operatorState.active = 有効
        operatorState.suspended = 停止中
        operatorState.revoked = 失効
        operatorState.locked = ロック中

        sessionEnd.logout = ログアウト
        sessionEnd.operatorSuspended = 利用者の停止
        sessionEnd.operatorRevoked = 利用者の失効
        sessionEnd.operatorLocked = 利用者のロック
        loginFailure.wrongPassword = パスワードの誤り
        loginFailure.notActive = 有効でない利用者
        loginFailure.terminalNotRegistered = 登録されていない端末
        loginFailure.unknownOperator = 登録されていない利用者

        # 監査記録の種類
        # 広域連合の決定と koki の差の項目
        unionField.annualPremium = 年額保険料
        unionField.periods = 期別の額
        unionField.incomeBase = 所得割の基礎となる所得
        unionField.reduction = 均等割の軽減
        unionField.insuredFrom = 資格取得日
        unionField.insuredUntil = 資格喪失日
        unionField.assessment = 賦課の有無
        # 所得照会履歴の種類（閲覧には税情報の取込による記録も含む）
        incomeInquiry.lookup = 閲覧・取込
        incomeInquiry.network = 情報照会
        incomeInquiry.answer = 照会の回答
        # 試算（whatif）の結果
        whatIf.unchanged = 変更なし
        whatIf.changed = 変更あり
        whatIf.failing = 計算できない
        whatIf.notInsured = 被保険者でない
        auditKind.read = 閲覧
        auditKind.login = ログイン
        auditKind.logout = ログアウト
        auditKind.loginFailed = ログイン失敗
        auditKind.refused = 拒否
        auditKind.administration = 管理

        # 収納履歴の種類
        history.insured = 資格取得
        history.lost = 資格喪失
        history.assessed = 賦課
        history.payment = 納付
        history.cancelled = 納付取消
        history.dunning = 督促
        history.reminder = 催告
        history.contact = 折衝
        history.overpayment = 過誤納
        history.appropriated = 充当
        history.refund = 還付
        history.refundPaid = 還付支払
        history.refundPrescribed = 還付の時効
        history.debit = 口座振替
        history.debitFailed = 振替不能
        history.slip = 納付書
        history.storeReport = コンビニ速報
        history.pension = 年金
        history.pensionNotice = 特別徴収通知
        history.pensionSwitch = 徴収方法の切替
        history.provisional = 仮徴収
        history.lateFee = 延滞金
        history.reduction = 減免
        history.writtenOff = 不納欠損
        history.plan = 分納
        history.enforcementStop = 執行停止
        history.deferral = 徴収猶予
        history.seizure = 差押

        # 表の見出し
        column.number = 被保険者番号
        column.name = 氏名
        column.kana = カナ氏名
        column.from = 資格取得日
        column.reason = 事由
        column.status = 状態
        column.collectionMethod = 徴収方法
        column.householdRole = 続柄
        column.insured = 資格
        column.facility = 施設
        column.birthday75 = 75歳到達日
        column.exceptionFrom = 住所地特例の開始日
        column.date = 日付
        column.position = 位置
        column.by = 記録者
        column.what = 種類
        column.detail = 内容
        column.fiscalYear = 年度
        column.period = 期別
        column.dueDate = 納期限
        column.assessed = 調定額（円）
        column.paid = 収納額（円）
        column.outstanding = 未納額（円）
        column.overpaid = 過誤納額（円）
        column.reduced = 減免額（円）
        column.writtenOff = 不納欠損額（円）
        column.lateFee = 延滞金（円）
        column.owed = 滞納額（円）
        column.daysOverdue = 経過日数
        column.dunned = 督促日
        column.reminded = 催告日
        column.prescribedAfter = 時効完成日
        column.note = 備考
        column.paymentNumber = 収納番号
        column.paidOn = 納付日
        column.channel = 収納方法
        column.amount = 金額（円）
        column.applied = 充当先
        column.periods = 滞納期数
        column.oldestDue = 最古の納期限
        column.lateFees = 延滞金（円）

        # 入力欄（エラーで示す欄の名前。キーはコマンドのオプション名）
        field.person = 被保険者番号
        field.on = 処理日
        field.fiscalYear = 年度
        field.period = 期別
        field.amount = 金額
        field.paidOn = 納付日
        field.learnedOn = 収納情報の到達日
        field.channel = 収納方法
        field.reference = 領収番号
        field.reason = 理由
        field.name = 氏名
        field.kana = カナ氏名
        field.birthDate = 生年月日
        field.sex = 性別
        field.address = 住所
        field.postalCode = 郵便番号
        field.phone = 電話番号
        field.household = 世帯番号
        field.role = 続柄・役割
        field.operator.role = 役割
        field.roles.role = 役割
        field.roles.function = 機能
        field.mail.role = 送付先の区分
        field.from = 開始日
        field.through = 終了日
        field.until = 終了日
        field.asOf = 基準日
        field.knownAt = 記録時点
        field.decidedOn = 決定日
        field.method = 折衝方法
        field.counterpart = 相手方
        field.content = 折衝内容
        field.promise = 約束事項
        field.promisedOn = 納付予定日
        field.number = 番号
        field.id = 記録番号
        field.office = 受付窓口
        field.date = 日付
        field.year = 年
        field.calendarYear = 暦年
        field.deadline = 期限
        field.bank = 金融機関コード
        field.branch = 支店コード
        field.accountType = 預金種目
        field.account = 口座番号
        field.holder = 口座名義
        field.delivery = 交付方法
        field.applicant = 申請者の区分
        field.applicantName = 申請者氏名
        field.identity = 本人確認書類
        field.received = 受付日
        field.acquiredOn = 資格取得日
        field.lostOn = 資格喪失日
        field.principal = 本税額
        field.due = 納期限
        field.payment = 収納番号
        field.cause = 原因
        field.refund = 還付番号
        field.heir = 相続人
        field.relief = 延滞金の減免
        field.limit = 表示件数
        field.order = 並び順
        field.minimumOwed = 滞納額の下限
        field.monthsOverdue = 滞納月数
        field.plan = 分納番号
        field.file = ファイル
        field.out = 出力先
        field.operatorID = 利用者ID
        field.taxable = 課税標準額
        field.salary = 給与収入
        field.pension = 年金収入
        field.other = その他の所得
        field.totalIncome = 総所得金額等
        field.annualPension = 年金額
        field.carePremium = 介護保険料
        field.validFrom = 有効期間の開始日
        field.serviceFrom = 診療開始日
        field.serviceThrough = 診療終了日
        field.claimed = 請求額
        field.payee = 受取人
        field.member = 世帯員
        field.householdSince = 世帯加入日
        field.former = 旧被保険者番号
        field.beforePosition = この位置より前
        field.kind = 種類
        field.attached = 添付書類
        field.recipientName = 送付先氏名
        # The changes an application carries (申請が伴う変更), by command.
        command.personRegister = 本人の登録
        command.personLink = 旧番号の紐付け
        command.personCorrect = 本人情報の変更
        command.eligibilityAcquire = 資格取得
        command.eligibilityLose = 資格喪失
        command.eligibilityAddressExceptionStart = 住所地特例の開始
        command.eligibilityAddressExceptionEnd = 住所地特例の終了
        command.eligibilityFormerDependant = 旧被扶養者の記録
        command.householdSet = 世帯の設定
        command.householdLeave = 世帯からの転出
        command.incomeRecord = 所得の申告
        command.debitApply = 口座振替の依頼
        command.debitPrepay = 全期前納
        command.debitStart = 口座振替の開始
        command.debitStop = 口座振替の廃止
        command.pensionSwitch = 特別徴収から普通徴収への切替
        command.reductionDecide = 減免の決定
        command.refundPay = 還付金の支払
        command.mailSet = 送付先等の設定
        command.mailEnd = 送付先等の終了
        command.deferralGrant = 徴収猶予
        command.deferralExtend = 徴収猶予の延長

        # 画面の語
        word.persons = 人
        word.none = なし
        word.prescribed = 時効完成
        word.final = 確定
        word.erased = （消去済み）
        word.retracted = （取消済み）
        word.deferredThrough = 徴収猶予（期限）
        word.toAnHeir = 相続人へ
        """
}
