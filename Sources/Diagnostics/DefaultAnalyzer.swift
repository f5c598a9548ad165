/// The HTSR analyzer behind `RunDiagnostics` by default.
///
/// TEMPORARY: the HTSR target is on its own branch; until it lands on main this returns an
/// analyzer that marks every layer "skipped". When it lands, this file becomes the adapter
/// (HTSROptions from the mode: paper = clip_xmax + randomize; plain = randomize only).
func defaultAnalyzer(mode: HTSRMode, threads: Int) -> LayerAnalyzer {
    UnavailableAnalyzer()
}
