import KokiDomain

extension BinaryWriter {
    public mutating func write(_ value: Yen) {
        if !value.isRecordable {
            refuse("\(value.amount) yen is outside the range a ledger holds (±10^15 yen): an amount out of range reached a calculation")
        }
        writeInt(value.amount)
    }
    public mutating func write(_ value: CivilDate) { writeInt(value.daysSinceEpoch) }
    public mutating func write(_ value: FiscalYear) { writeUInt(UInt64(value.year)) }
    public mutating func write(_ value: PeriodNumber) { writeUInt(UInt64(value.number)) }
    public mutating func write(_ value: PersonID) { writeString(value.value) }
    public mutating func write(_ key: PeriodKey) {
        write(key.fiscalYear)
        write(key.period)
    }
}

extension BinaryReader {
    public mutating func readYen() throws(CodecError) -> Yen { Yen(try readInt64()) }

    public mutating func readDate() throws(CodecError) -> CivilDate {
        let start = offset
        let days = try readInt()
        do { return try CivilDate(daysSinceEpoch: days) } catch { throw CodecError.malformed(error.message, at: start) }
    }

    public mutating func readFiscalYear() throws(CodecError) -> FiscalYear {
        let start = offset
        let year = try readCount(limit: 9998)
        do { return try FiscalYear(year) } catch { throw CodecError.malformed(error.message, at: start) }
    }

    public mutating func readPeriod() throws(CodecError) -> PeriodNumber {
        let start = offset
        let number = try readCount(limit: 12)
        do { return try PeriodNumber(number) } catch { throw CodecError.malformed(error.message, at: start) }
    }

    public mutating func readPersonID() throws(CodecError) -> PersonID {
        let start = offset
        let text = try readString()
        do { return try PersonID(text) } catch { throw CodecError.malformed(error.message, at: start) }
    }

    public mutating func readPeriodKey() throws(CodecError) -> PeriodKey {
        PeriodKey(try readFiscalYear(), try readPeriod())
    }
}
