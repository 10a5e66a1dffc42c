import Yams

/// A YAML node with the key path that leads to it and its file, so every check can fail with
/// `file:line: key: message`. Yams' node API keeps libyaml's marks (1-based line and column),
/// which the Codable decoder would lose.
struct YAMLValue {
    let node: Node
    /// Dotted key path with list indexes (`venues.binance.symbols[2]`); `""` for the root.
    let path: String
    let file: String
    /// Line of the key that names this value, if it is a mapping value (a key's line reads
    /// better than the line of a block value that starts below it).
    let keyLine: Int?

    init(node: Node, path: String, file: String, keyLine: Int? = nil) {
        self.node = node
        self.path = path
        self.file = file
        self.keyLine = keyLine
    }

    /// The line errors about this value point at.
    var line: Int {
        switch node {
        case .scalar: return node.mark?.line ?? keyLine ?? 1
        default: return keyLine ?? node.mark?.line ?? 1
        }
    }

    var location: SourceLocation { SourceLocation(file: file, line: line, key: path.isEmpty ? "(top level)" : path) }

    func error(_ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: line, key: path.isEmpty ? nil : path, message: message)
    }

    /// `~`, `null` or an empty value.
    var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// How the value looks, for "expected X, got Y".
    var kindDescription: String {
        switch node {
        case .scalar(let scalar): return isNull ? "nothing" : "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    /// The scalar text; `expected` names what should be here.
    func scalar(_ expected: String) throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node, !isNull else { throw error("expected \(expected), got \(kindDescription)") }
        return scalar.string
    }

    /// A non-empty string.
    func string(_ expected: String = "a string") throws(ConfigurationError) -> String {
        let text = try scalar(expected)
        guard !text.isEmpty else { throw error("expected \(expected), got an empty string") }
        return text
    }

    /// An integer in `range`.
    func integer(_ expected: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let text = try scalar(expected)
        guard let value = Int(text), range.contains(value) else { throw error("expected \(expected), got '\(text)'") }
        return value
    }

    /// A YAML 1.2 boolean (`true`/`false`, as in the spec's core schema).
    func boolean() throws(ConfigurationError) -> Bool {
        let text = try scalar("true or false")
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw error("expected true or false, got '\(text)'")
        }
    }

    /// The items of a list, each with its `[i]` path. A single scalar is *not* promoted to a list:
    /// `symbols: BTC-USDT` is most likely a forgotten `[...]`, so it is refused.
    func sequence(_ expected: String) throws(ConfigurationError) -> [YAMLValue] {
        guard case .sequence(let sequence) = node else { throw error("expected \(expected), got \(kindDescription)") }
        return sequence.enumerated().map { index, item in
            YAMLValue(node: item, path: "\(path)[\(index)]", file: file)
        }
    }

    /// The entries of a mapping. With `known`, any other key is an error naming the nearest
    /// known key (a typo must never be silently ignored); duplicate keys are errors too.
    func mapping(_ expected: String = "a mapping", known: [String]? = nil) throws(ConfigurationError) -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw error("expected \(expected), got \(kindDescription)") }
        var entries: [YAMLMapping.Entry] = []
        var firstLine: [String: Int] = [:]
        for (keyNode, valueNode) in mapping {
            let keyLine = keyNode.mark?.line ?? line
            guard case .scalar(let keyScalar) = keyNode else {
                throw ConfigurationError(file: file, line: keyLine, key: path.isEmpty ? nil : path,
                                         message: "keys must be plain names, got \(YAMLValue(node: keyNode, path: path, file: file).kindDescription)")
            }
            let key = keyScalar.string
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if let first = firstLine[key] {
                throw ConfigurationError(file: file, line: keyLine, key: childPath, message: "duplicate key (first at line \(first))")
            }
            firstLine[key] = keyLine
            if let known, !known.contains(key) {
                let message = "unknown key" + Suggestion.phrase(for: key, in: known)
                    + " Known keys here: \(known.sorted().joined(separator: ", "))"
                throw ConfigurationError(file: file, line: keyLine, key: childPath, message: message)
            }
            entries.append(YAMLMapping.Entry(key: key, keyLine: keyLine,
                                             value: YAMLValue(node: valueNode, path: childPath, file: file, keyLine: keyLine)))
        }
        return YAMLMapping(owner: self, entries: entries)
    }
}

/// A mapping's entries in file order.
struct YAMLMapping {
    struct Entry {
        let key: String
        let keyLine: Int
        let value: YAMLValue
    }

    let owner: YAMLValue
    let entries: [Entry]

    /// The value of `key`, or `nil` when absent or null.
    func optional(_ key: String) -> YAMLValue? {
        guard let entry = entries.first(where: { $0.key == key }), !entry.value.isNull else { return nil }
        return entry.value
    }

    /// Whether `key` is written at all (even as null).
    func contains(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// The value of `key`; an error at the mapping's own line when missing.
    func required(_ key: String) throws(ConfigurationError) -> YAMLValue {
        if let value = optional(key) { return value }
        if let entry = entries.first(where: { $0.key == key }) { throw entry.value.error("must not be empty") }
        throw owner.error("missing required key '\(key)'")
    }
}

/// "Did you mean …?" for typos: the known word within a small edit distance.
enum Suggestion {
    /// `; did you mean 'x'?` when a known word is close, else `.`; ends a sentence that a list follows.
    static func phrase(for word: String, in candidates: [String]) -> String {
        nearest(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? "."
    }

    static func nearest(to word: String, in candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance <= min(3, max(2, candidate.count / 4)), distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        if let best { return best.name }
        // A key missing its suffix (`api_secret` for `api_secret_env`).
        return lowered.count >= 4 ? candidates.first { $0.lowercased().hasPrefix(lowered) } : nil
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
