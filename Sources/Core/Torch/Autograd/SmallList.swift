/// A list that keeps its first two elements inline and only allocates for a third: the inputs,
/// edges and saved tensors of a node are almost always one or two, and recording an op must not
/// pay for three heap arrays.
///
/// ```swift
/// var l = SmallList(a, b)   // no heap allocation
/// l.append(c)               // spills to an array
/// ```
struct SmallList<Element>: RandomAccessCollection, ExpressibleByArrayLiteral {
    private var e0: Element?
    private var e1: Element?
    private var rest: [Element] = []
    private(set) var count: Int

    init() { count = 0 }
    init(_ a: Element) { e0 = a; count = 1 }
    init(_ a: Element, _ b: Element) { e0 = a; e1 = b; count = 2 }
    init<S: Sequence>(_ elements: S) where S.Element == Element {
        count = 0
        for x in elements { append(x) }
    }
    init(arrayLiteral elements: Element...) { self.init(elements) }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(i: Int) -> Element {
        get {
            precondition(i >= 0 && i < count, "SmallList index \(i) out of range 0..<\(count)")
            switch i {
            case 0: return e0!
            case 1: return e1!
            default: return rest[i - 2]
            }
        }
        set {
            precondition(i >= 0 && i < count, "SmallList index \(i) out of range 0..<\(count)")
            switch i {
            case 0: e0 = newValue
            case 1: e1 = newValue
            default: rest[i - 2] = newValue
            }
        }
    }

    mutating func append(_ x: Element) {
        switch count {
        case 0: e0 = x
        case 1: e1 = x
        default: rest.append(x)
        }
        count += 1
    }

    /// Empties the list, releasing what it held.
    mutating func removeAll() {
        e0 = nil
        e1 = nil
        rest = []
        count = 0
    }
}
