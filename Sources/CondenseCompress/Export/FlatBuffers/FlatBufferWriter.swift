/// Serializes a `FlatBufferTable` as a FlatBuffers buffer, front to back: the root offset and the 4-byte file
/// identifier, then each table with its vtable just before it (or none where an earlier table has the same vtable),
/// and every object a table refers to after that table (depth first), so every 32-bit offset points forward, as the
/// format requires.
///
/// A table is its 32-bit signed offset back to its vtable, then its inline fields, largest first, each aligned to
/// its size (the first field to its own size, the table to 4). Its vtable is 16-bit words: the vtable's byte size, the
/// table's byte size, then for each slot up to the highest one set the field's offset in the table (0: absent, the
/// schema's default); tables laid out alike share one, as the format allows. A string or vector is a 32-bit element
/// count, then its elements (a string's UTF-8 bytes and a zero; a vector's scalars aligned as
/// `FlatBufferObject.scalars` says, or 32-bit offsets to its tables).
/// `.shared` objects come last, each distinct one once, so the offsets to them point forward too.
public struct FlatBufferWriter {
    private var bytes: [UInt8] = []
    /// The shared objects met so far, by their bytes when written alone, with the positions of the offsets to them.
    private var shared: [(object: FlatBufferObject, key: [UInt8], referrers: [Int])] = []
    /// The position of each shared object's entry in `shared`, by its bytes.
    private var sharedIndices: [[UInt8]: Int] = [:]
    /// The position of each vtable written so far, by its bytes.
    private var vtables: [[UInt8]: Int] = [:]

    /// The buffer of `root`, with `identifier` (4 ASCII characters) after the root offset.
    public static func serialize(_ root: FlatBufferTable, identifier: String) -> [UInt8] {
        precondition(identifier.utf8.count == 4, "a FlatBuffers file identifier has 4 bytes")
        var writer = FlatBufferWriter()
        writer.bytes = [0, 0, 0, 0] + Array(identifier.utf8)
        writer.patchOffset(at: 0, to: writer.place(.table(root)))
        for (object, _, referrers) in writer.shared {
            let position = writer.place(object)
            for referrer in referrers { writer.patchOffset(at: referrer, to: position) }
        }
        return writer.bytes
    }

    /// Writes the offset at `referrer` to `object`: now, after appending it (and everything it refers to), or at
    /// the end for a shared object.
    private mutating func refer(at referrer: Int, to object: FlatBufferObject) {
        guard case let .shared(inner) = object else {
            patchOffset(at: referrer, to: place(object))
            return
        }
        var alone = FlatBufferWriter()
        _ = alone.place(inner)
        if let index = sharedIndices[alone.bytes] {
            shared[index].referrers.append(referrer)
        } else {
            sharedIndices[alone.bytes] = shared.count
            shared.append((inner, alone.bytes, [referrer]))
        }
    }

    /// Appends `object` (and everything it refers to) and returns its position: a table's start, or a string's or
    /// vector's element count.
    private mutating func place(_ object: FlatBufferObject) -> Int {
        switch object {
        case let .shared(inner):
            return place(inner)
        case let .table(table):
            return place(table)
        case let .string(text):
            pad(toMultipleOf: 4)
            let position = bytes.count
            append(UInt32(text.utf8.count))
            bytes += Array(text.utf8) + [0]
            return position
        case let .scalars(elements, elementSize, alignment):
            pad(toMultipleOf: alignment, after: 4)
            let position = bytes.count
            append(UInt32(elements.count / elementSize))
            bytes += elements
            return position
        case let .objects(objects):
            pad(toMultipleOf: 4)
            let position = bytes.count
            append(UInt32(objects.count))
            bytes += [UInt8](repeating: 0, count: 4 * objects.count)
            for (index, element) in objects.enumerated() { refer(at: position + 4 + 4 * index, to: element) }
            return position
        }
    }

    private mutating func place(_ table: FlatBufferTable) -> Int {
        let slots = table.fields.keys.sorted()
        func size(_ slot: Int) -> Int {
            if case let .scalar(value) = table.fields[slot]! { value.count } else { 4 }
        }
        let inline = slots.sorted { size($0) > size($1) }  // largest first: no padding between fields
        var offsets: [Int: Int] = [:], tableSize = 4
        for slot in inline {
            offsets[slot] = tableSize
            tableSize += size(slot)
        }
        let slotCount = (slots.last ?? -1) + 1
        let words = [4 + 2 * slotCount, tableSize] + (0..<slotCount).map { offsets[$0] ?? 0 }
        let vtableBytes = words.flatMap { FlatBufferObject.littleEndian(UInt16($0)) }
        let vtable: Int
        if let existing = vtables[vtableBytes] {
            vtable = existing
        } else {
            pad(toMultipleOf: 2)
            vtable = bytes.count
            vtables[vtableBytes] = vtable
            bytes += vtableBytes
        }
        pad(toMultipleOf: max(4, inline.first.map(size) ?? 4), after: 4)  // the first field sits after the vtable offset
        let start = bytes.count
        append(Int32(start - vtable))
        for slot in inline {
            switch table.fields[slot]! {
            case let .scalar(value): bytes += value
            case .object: append(UInt32(0))  // patched once the object is placed
            }
        }
        for slot in slots {
            if case let .object(object) = table.fields[slot]! { refer(at: start + offsets[slot]!, to: object) }
        }
        return start
    }

    /// Appends zeros until `after` more bytes would end on a multiple of `alignment`.
    private mutating func pad(toMultipleOf alignment: Int, after: Int = 0) {
        while (bytes.count + after) % alignment != 0 { bytes.append(0) }
    }

    private mutating func append<Integer: FixedWidthInteger>(_ value: Integer) {
        bytes += FlatBufferObject.littleEndian(value)
    }

    /// Writes the forward offset from `position` to `target` into the 32-bit word at `position`.
    private mutating func patchOffset(at position: Int, to target: Int) {
        bytes.replaceSubrange(position..<(position + 4), with: FlatBufferObject.littleEndian(UInt32(target - position)))
    }
}
