package a11y

import "slices"

// The conditions a page is checked in. Each starts from a fresh load of
// the page, so one check's changes (zoomed text, toggled disclosures) never
// leak into another's.
const (
	StateDesktop       = "desktop"        // 1280×800, no emulation
	StateNarrow        = "320px"          // 320 CSS px wide: WCAG's reflow width
	StateTextZoom      = "text-zoom-200"  // every font size doubled
	StateTextSpacing   = "text-spacing"   // the 1.4.12 spacing override
	StateForcedColors  = "forced-colors"  // forced-colors: active
	StateReducedMotion = "reduced-motion" // prefers-reduced-motion: reduce
)

var allStates = []string{StateDesktop, StateNarrow, StateTextZoom, StateTextSpacing, StateForcedColors, StateReducedMotion}

// States lists every condition, in the order the checker runs them.
func States() []string { return slices.Clone(allStates) }

// Rule ids of the checker's own checks.
const (
	RuleAxe            = "axe"
	RuleKeyboardReach  = "keyboard-reach"
	RuleKeyboardTrap   = "keyboard-trap"
	RuleFocusOrder     = "focus-order"
	RuleFocusVisible   = "focus-visible"
	RuleFocusObscured  = "focus-not-obscured"
	RuleDisclosureKeys = "disclosure-keys"
	RuleReflow         = "reflow"
	RuleTextResize     = "text-resize"
	RuleTextSpacing    = "text-spacing"
	RuleTargetSize     = "target-size"
	RuleContentVisible = "content-visible"
	RuleMotion         = "reduced-motion"
	RuleNameRoleValue  = "name-role-value"
	RuleExpandedState  = "expanded-state"
	RuleStatusRegion   = "status-region"
	RuleLanguage       = "language"
	RulePageLoad       = "page-load"
	RuleCheckerFailure = "checker"
)

// rules is what the report lists as having run.
var rules = []Rule{
	{RulePageLoad, nil, []string{StateDesktop}, "The page loads with a successful HTTP status."},
	{RuleKeyboardReach, []string{"2.1.1"}, []string{StateDesktop}, "Tab reaches every focusable element, shadow roots included (only the open modal dialog's while one is open: the rest of the page is inert); elements with an interactive role can take focus."},
	{RuleKeyboardTrap, []string{"2.1.2"}, []string{StateDesktop, StateForcedColors, StateReducedMotion}, "Tab never cycles inside part of the page."},
	{RuleFocusOrder, []string{"2.4.3"}, []string{StateDesktop}, "No positive tabindex reorders the focus sequence."},
	{RuleFocusVisible, []string{"2.4.7"}, []string{StateDesktop, StateForcedColors, StateReducedMotion}, "Each focused element looks different from its unfocused self (computed outline, box-shadow, border, background, underline or pseudo-element, on it or a close ancestor)."},
	{RuleFocusObscured, []string{"2.4.11"}, []string{StateDesktop, StateForcedColors, StateReducedMotion}, "No focused element is entirely covered by other content such as a sticky header."},
	{RuleDisclosureKeys, []string{"2.1.1", "4.1.2"}, []string{StateDesktop}, "Each disclosure (aria-expanded, summary) toggles with Enter and with Space."},
	{RuleReflow, []string{"1.4.10"}, []string{StateNarrow}, "No horizontal scrolling at 320 CSS px, except inside the page's own scroll containers."},
	{RuleTextResize, []string{"1.4.4"}, []string{StateTextZoom}, "With every font size doubled, no text is clipped by overflow."},
	{RuleTextSpacing, []string{"1.4.12"}, []string{StateTextSpacing}, "With line height 1.5, letter spacing 0.12em, word spacing 0.16em and paragraph spacing 2em, no text is clipped."},
	{RuleTargetSize, []string{"2.5.8"}, []string{StateDesktop, StateNarrow}, "Targets are at least 24×24 CSS px, or spaced so a 24 px circle on each touches no other."},
	{RuleContentVisible, []string{"1.4.3"}, []string{StateForcedColors, StateReducedMotion}, "Text stays visible: not transparent, not the colour of its background."},
	{RuleMotion, []string{"2.2.2"}, []string{StateReducedMotion}, "No endless or long animation runs when the user asks for reduced motion (warning)."},
	{RuleNameRoleValue, []string{"4.1.2"}, []string{StateDesktop}, "Every interactive node of Chromium's accessibility tree has a name."},
	{RuleExpandedState, []string{"4.1.2"}, []string{StateDesktop}, "Every disclosure exposes expanded or collapsed in the accessibility tree."},
	{RuleStatusRegion, []string{"4.1.3"}, []string{StateDesktop}, "Each configured component (by default <arendevy-overview>) holds a status or live region."},
	{RuleLanguage, []string{"3.1.1"}, []string{StateDesktop}, "The page has a valid lang, and its text reads as that language."},
}

// manual is the honest list of what this checker cannot decide.
var manual = []ManualCheck{
	{"1.1.1", "Whether text alternatives say what the image says; axe only checks that they exist."},
	{"1.2.1–1.2.5", "Captions and descriptions of audio and video."},
	{"1.3.1", "Whether the markup's structure matches the visual one beyond what axe can see."},
	{"1.3.2", "Whether the reading order makes sense."},
	{"1.3.3", "Instructions that rely on shape, size or position."},
	{"1.3.5", "Input purpose beyond the autocomplete values axe validates."},
	{"1.4.1", "Whether colour is the only way status or meaning is conveyed."},
	{"1.4.5", "Images of text."},
	{"1.4.11", "Contrast of focus rings, icons and control borders against their surroundings."},
	{"1.4.13", "Content on hover or focus: dismissible, hoverable, persistent."},
	{"2.1.4", "Single-character key shortcuts."},
	{"2.2.1", "Time limits, such as the session timeout, can be turned off or extended."},
	{"2.4.2", "Whether the page title describes the page."},
	{"2.4.3", "Whether the focus order is meaningful, not only unscrambled."},
	{"2.4.4", "Whether link text says where the link goes."},
	{"2.4.5", "More than one way to find a page."},
	{"2.4.6", "Whether headings and labels describe their content."},
	{"2.5.1, 2.5.2, 2.5.4, 2.5.7", "Pointer gestures, cancellation, motion actuation and dragging alternatives."},
	{"2.5.3", "Label in name, beyond axe's checks."},
	{"3.1.2", "Language of parts: the checker skips text marked with another lang, but cannot find unmarked parts."},
	{"3.2.1–3.2.4, 3.2.6", "Predictable behaviour on focus and input, consistent navigation, identification and help."},
	{"3.3.1–3.3.4, 3.3.7, 3.3.8", "Error identification, labels, suggestions, prevention, redundant entry, accessible authentication."},
	{"4.1.3", "Whether status messages are actually announced: needs a screen reader."},
}

// screenReaders are the runs a human must still make.
var screenReaders = []string{
	"NVDA with Firefox and Chrome (Windows)",
	"JAWS with Chrome and Edge (Windows)",
	"VoiceOver with Safari (macOS and iOS)",
	"TalkBack with Chrome (Android)",
}
