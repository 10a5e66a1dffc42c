import MarketModel

/// Renders a nanosecond span for status reasons (`"dead peer: no frame for 31s"`): whole
/// seconds when the span is at least 10 s, else milliseconds with up to 3 decimals removed.
func durationText(_ span: Nanoseconds) -> String {
    if span >= Interval.seconds(10) || span % Interval.seconds(1) == 0 {
        return "\(span / Interval.seconds(1))s"
    }
    if span >= Interval.milliseconds(1) {
        return "\(span / Interval.milliseconds(1))ms"
    }
    return "\(span)ns"
}
