//! Diagnostic codes of name resolution, validation and lints (AVS0100–AVS0299).
//! Documented in `docs/diagnostics.md`, section "Names and types". Codes are stable:
//! never renumber, only add.

// The standard library and `use`.
pub(crate) const UNKNOWN_MODULE: &str = "AVS0100";
pub(crate) const KIND_IN_DESIGN: &str = "AVS0101";
pub(crate) const UNKNOWN_BEHAVIOUR: &str = "AVS0102";
pub(crate) const BAD_SESSION: &str = "AVS0103";
pub(crate) const BAD_KIND: &str = "AVS0104";

// Items and names.
pub(crate) const DUPLICATE_NAME: &str = "AVS0110";
pub(crate) const RESERVED_NAME: &str = "AVS0111";
pub(crate) const DUPLICATE_CHECK: &str = "AVS0112";

// Components against their kind.
pub(crate) const UNKNOWN_KIND: &str = "AVS0120";
pub(crate) const UNKNOWN_KEY: &str = "AVS0121";
pub(crate) const MISSING_KEY: &str = "AVS0122";
pub(crate) const REPEATED_KEY: &str = "AVS0123";
pub(crate) const WRONG_TYPE: &str = "AVS0124";
pub(crate) const EXTRA_ARGUMENT: &str = "AVS0125";
pub(crate) const MISSING_ARGUMENT: &str = "AVS0126";
pub(crate) const UNKNOWN_NAME: &str = "AVS0127";
pub(crate) const WRONG_KIND: &str = "AVS0128";
pub(crate) const ASN_RANGE: &str = "AVS0129";
pub(crate) const PLACEMENT: &str = "AVS0130";
pub(crate) const IMPLICIT_COMPONENT: &str = "AVS0131";
pub(crate) const SAME_COMPONENT_TWICE: &str = "AVS0132";

// Policies and prefix lists.
pub(crate) const PREFIX_LENGTHS: &str = "AVS0140";
pub(crate) const PREPEND_COUNT: &str = "AVS0141";

// The address plan (addresses.rs).
pub(crate) const SUBNET_OUTSIDE_VNET: &str = "AVS0160";
pub(crate) const SUBNETS_OVERLAP: &str = "AVS0161";
pub(crate) const VM_OUTSIDE_SUBNET: &str = "AVS0162";
pub(crate) const AZURE_RESERVED_ADDRESS: &str = "AVS0163";
pub(crate) const ADDRESS_IN_USE: &str = "AVS0164";
pub(crate) const PEERED_VNETS_OVERLAP: &str = "AVS0165";
pub(crate) const SUBNET_TOO_SMALL: &str = "AVS0166";
pub(crate) const NIC_OTHER_VNET: &str = "AVS0167";

// Checks.
pub(crate) const TOO_MANY_FAILURES: &str = "AVS0150";
pub(crate) const REPEATED_MODIFIER: &str = "AVS0151";
pub(crate) const ASSUME_LENGTH: &str = "AVS0152";
pub(crate) const BAD_SUBNET_PATH: &str = "AVS0153";
pub(crate) const NOT_FAILABLE: &str = "AVS0154";
pub(crate) const NOT_PEERED: &str = "AVS0155";

// Lints and findings (`sema::lints`).
pub(crate) const RESERVED_ASN: &str = "AVS0200";
pub(crate) const UNUSED_POLICY: &str = "AVS0210";
pub(crate) const UNUSED_PREFIX_LIST: &str = "AVS0211";
pub(crate) const UNUSED_COMPONENT: &str = "AVS0212";
pub(crate) const SHADOWED_RULE: &str = "AVS0213";
pub(crate) const TAG_NEVER_ADDED: &str = "AVS0214";
