/// `1 prosumer`, `3 prosumers`, `1 entry`, `2 entries`: a count with its noun in the right number. The plural is
/// the singular with `s`, `es` after `s`/`sh`/`ch`/`x`, or `ies` after a consonant and `y`, unless given.
public func counted(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : plural ?? pluralOf(singular))"
}

func pluralOf(_ word: String) -> String {
    if word.hasSuffix("s") || word.hasSuffix("sh") || word.hasSuffix("ch") || word.hasSuffix("x") { return word + "es" }
    if word.hasSuffix("y"), let before = word.dropLast().last, !"aeiou".contains(before) { return String(word.dropLast()) + "ies" }
    return word + "s"
}
