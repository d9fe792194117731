/// A value's fields in a box shared by its copies until one of them changes (copy on write): a
/// copy costs one reference however many lists the fields hold, and a change to a copy leaves
/// the others as they were. Equal where the box is the same or the fields are equal.
struct SharedFields<Fields: Sendable & Hashable>: @unchecked Sendable, Hashable {
    private final class Box: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    init(_ fields: Fields) { box = Box(fields) }

    /// The fields, read in place; changed in place once no other copy shares them.
    var value: Fields {
        _read { yield box.fields }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
            yield &box.fields
        }
    }

    static func == (a: Self, b: Self) -> Bool { a.box === b.box || a.box.fields == b.box.fields }
    func hash(into hasher: inout Hasher) { hasher.combine(box.fields) }
}
