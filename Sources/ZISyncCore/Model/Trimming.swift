extension String {
    /// The text without leading and trailing white space and line ends (Unicode's White_Space
    /// and the zero width space: what Foundation's `.whitespacesAndNewlines` holds here).
    /// Foundation's `trimmingCharacters` goes through NSString and was a fifth of a large sheet's
    /// import.
    public var trimmedOfWhitespace: String {
        let scalars = unicodeScalars
        func blank(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace || s.value == 0x200B }
        guard let first = scalars.firstIndex(where: { !blank($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !blank($0) })!
        return String(scalars[first...last])
    }
}
