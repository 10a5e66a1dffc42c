/// The Prometheus text exposition format, version 0.0.4: `# HELP`, `# TYPE`, then one line per
/// sample, label values escaped (`\\`, `\"`, `\n`), histograms as cumulative `_bucket{le=…}`
/// lines ending in `le="+Inf"`, then `_sum` and `_count`.
public enum PrometheusText {
    /// The `Content-Type` of a `/metrics` response.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A metric family: one name, one HELP, one TYPE, its samples.
    public struct Family: Sendable, Hashable {
        /// The metric kinds used here.
        public enum Kind: String, Sendable, Hashable {
            /// Only goes up (resets at restart); the name ends in `_total`.
            case counter
            /// Goes up and down.
            case gauge
            /// Cumulative buckets plus sum and count.
            case histogram
        }

        /// Metric name (`marketmux_venue_messages_total`).
        public var name: String
        /// One line of help.
        public var help: String
        /// Kind.
        public var kind: Kind
        /// Counter and gauge samples.
        public var samples: [Sample]
        /// Histogram series.
        public var histograms: [Histogram]

        /// A counter or gauge family.
        public init(name: String, help: String, kind: Kind, samples: [Sample]) {
            self.name = name
            self.help = help
            self.kind = kind
            self.samples = samples
            self.histograms = []
        }

        /// A histogram family.
        public init(name: String, help: String, histograms: [Histogram]) {
            self.name = name
            self.help = help
            self.kind = .histogram
            self.samples = []
            self.histograms = histograms
        }
    }

    /// One sample of a counter or gauge.
    public struct Sample: Sendable, Hashable {
        /// Label pairs in output order.
        public var labels: [(name: String, value: String)] {
            get { labelPairs.map { ($0.name, $0.value) } }
            set { labelPairs = newValue.map { LabelPair(name: $0.name, value: $0.value) } }
        }
        /// The value.
        public var value: Double
        private var labelPairs: [LabelPair]

        /// A sample with `labels`.
        public init(_ labels: [(name: String, value: String)] = [], _ value: Double) {
            labelPairs = labels.map { LabelPair(name: $0.name, value: $0.value) }
            self.value = value
        }
    }

    /// One histogram series: cumulative counts per upper bound (the last count is `+Inf`).
    public struct Histogram: Sendable, Hashable {
        /// Label pairs in output order (without `le`).
        public var labels: [(name: String, value: String)] {
            get { labelPairs.map { ($0.name, $0.value) } }
            set { labelPairs = newValue.map { LabelPair(name: $0.name, value: $0.value) } }
        }
        /// Upper bounds, ascending, without `+Inf`.
        public var bounds: [Double]
        /// Cumulative counts, one per bound plus the `+Inf` count (= the total count).
        public var cumulativeCounts: [UInt64]
        /// Sum of observations.
        public var sum: Double
        private var labelPairs: [LabelPair]

        /// A series; `cumulativeCounts.count` must be `bounds.count + 1`.
        public init(_ labels: [(name: String, value: String)], bounds: [Double], cumulativeCounts: [UInt64], sum: Double) {
            precondition(cumulativeCounts.count == bounds.count + 1, "a histogram needs one count per bound plus +Inf")
            labelPairs = labels.map { LabelPair(name: $0.name, value: $0.value) }
            self.bounds = bounds
            self.cumulativeCounts = cumulativeCounts
            self.sum = sum
        }
    }

    struct LabelPair: Sendable, Hashable {
        var name: String
        var value: String
    }

    /// The exposition text of `families`, in order.
    public static func render(_ families: [Family]) -> String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                out += family.name + labelSet(sample.labels) + " " + format(sample.value) + "\n"
            }
            for series in family.histograms {
                for (index, count) in series.cumulativeCounts.enumerated() {
                    let le = index < series.bounds.count ? format(series.bounds[index]) : "+Inf"
                    out += family.name + "_bucket" + labelSet(series.labels + [("le", le)]) + " \(count)\n"
                }
                out += family.name + "_sum" + labelSet(series.labels) + " " + format(series.sum) + "\n"
                out += family.name + "_count" + labelSet(series.labels) + " \(series.cumulativeCounts.last ?? 0)\n"
            }
        }
        return out
    }

    /// `{a="1",b="2"}`, or nothing without labels.
    static func labelSet(_ labels: [(name: String, value: String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",") + "}"
    }

    /// Label values: backslash, double quote and line feed are escaped.
    public static func escapeLabelValue(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// HELP text: backslash and line feed are escaped.
    public static func escapeHelp(_ text: String) -> String {
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Integers without a fraction (`42`), others in Swift's shortest round-trip form, and the
    /// special values as Prometheus spells them.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 9.007_199_254_740_992e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
