// Variants of venue frames that take the adapters off their fast paths (shared by the fast-path tests).

/// The frame with a space after every `,` and `:` outside strings (no member is compact).
func spaced(_ text: String) -> String {
    var out = "", inString = false, escaped = false
    for c in text {
        out.append(c)
        if inString {
            if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
        } else if c == "\"" {
            inString = true
        } else if c == "," || c == ":" {
            out.append(" ")
        }
    }
    return out
}
