import MarketModel

/// Per-symbol state in an array, one slot per symbol seen, with the slot found last remembered.
///
/// Why not `[Symbol: Value]`: a connection's messages mostly name the symbol of the message
/// before, so ``slot(for:orMake:)`` finds its state with one `Symbol` comparison (no hashing),
/// and ``subscript(_:)`` mutates the state in place (a `Dictionary` `_modify` of an optional
/// value measured 3 heap allocations per message in `Books`' `BookSet`).
/// ```swift
/// let slot = maps.slot(for: symbol) { LevelIDMap() }   // made on the symbol's first message
/// maps[slot].forget()
/// ```
/// Slots are stable until ``remove(_:)``, which moves the later ones down by one.
public struct SymbolSlots<Value> {
    /// The slot of each symbol.
    @usableFromInline var slotOfSymbol: [Symbol: Int] = [:]
    /// The symbol of each slot.
    @usableFromInline var symbolOfSlot: [Symbol] = []
    /// The values, by slot.
    @usableFromInline var values: [Value] = []
    /// The slot found last (`-1` before any, and after a removal).
    @usableFromInline var lastSlot = -1

    /// No symbols.
    @inlinable
    public init() {}

    /// The symbols that have a slot: `symbols[i]` is slot `i`'s (the order of their first use).
    @inlinable public var symbols: [Symbol] { symbolOfSlot }

    /// `symbol`'s slot; on the symbol's first use the slot is added with the value `make` returns.
    @inlinable @inline(__always)
    public mutating func slot(for symbol: Symbol, orMake make: () -> Value) -> Int {
        if lastSlot >= 0, symbolOfSlot[lastSlot] == symbol { return lastSlot }
        return findOrAddSlot(for: symbol, make)
    }

    /// ``slot(for:orMake:)`` past the last-slot check: a lookup, or a new slot.
    @inlinable
    mutating func findOrAddSlot(for symbol: Symbol, _ make: () -> Value) -> Int {
        let slot: Int
        if let known = slotOfSymbol[symbol] {
            slot = known
        } else {
            slot = values.count
            slotOfSymbol[symbol] = slot
            symbolOfSlot.append(symbol)
            values.append(make())
        }
        lastSlot = slot
        return slot
    }

    /// `symbol`'s slot, or `nil` when it has none (nothing is added).
    @inlinable
    public func slot(of symbol: Symbol) -> Int? { slotOfSymbol[symbol] }

    /// The value in `slot` (from ``slot(for:orMake:)`` or ``slot(of:)``), read or mutated in place.
    @inlinable
    public subscript(slot: Int) -> Value {
        _read { yield values[slot] }
        _modify { yield &values[slot] }
    }

    /// Removes `symbol`'s slot and returns its value (`nil` when it has none); the later slots
    /// move down by one.
    @discardableResult
    public mutating func remove(_ symbol: Symbol) -> Value? {
        guard let slot = slotOfSymbol.removeValue(forKey: symbol) else { return nil }
        symbolOfSlot.remove(at: slot)
        for (other, index) in slotOfSymbol where index > slot { slotOfSymbol[other] = index - 1 }
        lastSlot = -1
        return values.remove(at: slot)
    }
}

extension SymbolSlots: Sendable where Value: Sendable {}
