//! Hand-written designs: each exercises one BGP rule or one policy condition/action of
//! the FRR-expressible subset, with hand-computed best routes (`expect`) that FRR must
//! reproduce. Their `.avs` renderings are kept in `tests/oracle_designs/`.

use super::model::*;

const P1: &str = "10.1.0.0/16";
const P2: &str = "10.2.0.0/16";
const P3: &str = "10.3.0.0/16";

pub fn all() -> Vec<Design> {
    vec![
        line_prepend(),
        loop_prevention(),
        allowas_in(),
        allowas_in_then_ibgp(),
        allowas_in_limit(),
        ibgp_split_horizon(),
        ibgp_local_pref_carried(),
        ibgp_full_mesh(),
        ebgp_over_ibgp(),
        local_pref_reset_on_ebgp(),
        local_pref_import(),
        local_route_wins(),
        med_always_compared(),
        med_not_passed_between_ases(),
        prefix_ge_le(),
        prefix_list(),
        as_path_contains(),
        as_path_length(),
        tags(),
        no_advertise(),
        remove_private_as(),
        remove_as(),
        prepend_foreign_asn(),
        implicit_deny(),
    ]
}

fn line_prepend() -> Design {
    let mut d = Design::new(
        "line_prepend",
        "eBGP prepends the sender's ASN at every hop; an export prepend comes before it.",
    );
    d.router("a", 65001, &[P1])
        .router("b", 65002, &[])
        .router("c", 65003, &[P3])
        .router("e", 65005, &[])
        .link("a", "b")
        .link("b", "c")
        .session("c", "e", None, Some("pad"), None, None)
        .policy("pad", vec![permit(vec![], vec![Act::Prepend(65003, 2)])])
        .expect("c", P1, Some(&[65002, 65001]))
        .expect("a", P3, Some(&[65002, 65003]))
        .expect("e", P1, Some(&[65003, 65003, 65003, 65002, 65001]))
        .expect("e", P3, Some(&[65003, 65003, 65003]));
    d
}

fn loop_prevention() -> Design {
    let mut d = Design::new(
        "loop_prevention",
        "c shares a's ASN: it drops every path that holds 65001 (and a drops c's).",
    );
    d.router("a", 65001, &[P1])
        .router("b", 65002, &[P2])
        .router("c", 65001, &[P3])
        .link("a", "b")
        .link("b", "c")
        .expect("c", P1, None)
        .expect("a", P3, None)
        .expect("b", P1, Some(&[65001]))
        .expect("b", P3, Some(&[65001]))
        .expect("c", P2, Some(&[65002]));
    d
}

fn allowas_in() -> Design {
    let mut d = Design::new(
        "allowas_in",
        "As loop_prevention, but c accepts its own ASN from b (allowas_in); a does not.",
    );
    d.router("a", 65001, &[P1])
        .router("b", 65002, &[P2])
        .router("c", 65001, &[P3])
        .link("a", "b")
        .link("b", "c")
        .allowas_in("c", "b")
        .expect("c", P1, Some(&[65002, 65001]))
        .expect("a", P3, None);
    d
}

fn allowas_in_then_ibgp() -> Design {
    let mut d = Design::new(
        "allowas_in_then_ibgp",
        "c accepts a path holding its own ASN (allowas_in) and passes it over iBGP to c2:\n\
         c2 applies loop prevention with its ASN too and, without allowas_in, drops it.",
    );
    d.router("a", 65001, &[P1])
        .router("b", 65002, &[])
        .router("c", 65001, &[])
        .router("c2", 65001, &[P3])
        .router("d", 65004, &[P2])
        .link("a", "b")
        .link("b", "c")
        .link("c", "c2")
        .link("b", "d")
        .allowas_in("c", "b")
        .expect("c", P1, Some(&[65002, 65001]))
        .expect("c2", P1, None)
        .expect("c2", P2, Some(&[65002, 65004]))
        .expect("c", P2, Some(&[65002, 65004]))
        .expect("c", P3, Some(&[]));
    // c2's P3 reaches b as [65001]; b passes it to a, whose loop check drops it.
    d.expect("b", P3, Some(&[65001])).expect("a", P3, None);
    d
}

fn allowas_in_limit() -> Design {
    let mut d = Design::new(
        "allowas_in_limit",
        "allowas_in tolerates the own ASN up to 3 times (FRR's default): a prepends c's ASN\n\
         three times on P1 (accepted at c) and four times on P2 (dropped).",
    );
    d.router("a", 65001, &[P1, P2, P3])
        .router("b", 65002, &[])
        .router("c", 65003, &[])
        .session("a", "b", None, Some("poison"), None, None)
        .link("b", "c")
        .allowas_in("c", "b")
        .policy(
            "poison",
            vec![
                permit(vec![prefix(P1)], vec![Act::Prepend(65003, 3)]),
                permit(vec![prefix(P2)], vec![Act::Prepend(65003, 4)]),
                permit(vec![], vec![]),
            ],
        )
        .expect("c", P1, Some(&[65002, 65001, 65003, 65003, 65003]))
        .expect("c", P2, None)
        .expect("c", P3, Some(&[65002, 65001]))
        .expect("b", P2, Some(&[65001, 65003, 65003, 65003, 65003]));
    d
}

fn ibgp_split_horizon() -> Design {
    let mut d = Design::new(
        "ibgp_split_horizon",
        "b1–b2–b3 in one AS without full mesh: b2 does not pass b1's iBGP route to b3.",
    );
    d.router("a", 65001, &[P1])
        .router("b1", 65002, &[])
        .router("b2", 65002, &[])
        .router("b3", 65002, &[P3])
        .link("a", "b1")
        .link("b1", "b2")
        .link("b2", "b3")
        .expect("b1", P1, Some(&[65001]))
        .expect("b2", P1, Some(&[65001]))
        .expect("b3", P1, None)
        .expect("b2", P3, Some(&[]))
        .expect("b1", P3, None)
        .expect("a", P3, None);
    d
}

fn ibgp_local_pref_carried() -> Design {
    let mut d = Design::new(
        "ibgp_local_pref_carried",
        "b1 raises local_pref on a long path; iBGP carries it to b2, which prefers it to\n\
         its own shorter eBGP path.",
    );
    d.router("a", 65001, &[P1])
        .router("b1", 65002, &[])
        .router("b2", 65002, &[])
        .router("c", 65003, &[])
        .session("a", "b1", None, Some("long"), Some("prefer"), None)
        .link("a", "c")
        .link("c", "b2")
        .link("b1", "b2")
        .policy("long", vec![permit(vec![], vec![Act::Prepend(65001, 2)])])
        .policy("prefer", vec![permit(vec![], vec![Act::LocalPref(300)])])
        .expect("b1", P1, Some(&[65001, 65001, 65001]))
        .expect("b2", P1, Some(&[65001, 65001, 65001]))
        .expect("c", P1, Some(&[65001]));
    d
}

fn ibgp_full_mesh() -> Design {
    let mut d = Design::new(
        "ibgp_full_mesh",
        "AS 65002 as a full iBGP mesh of three routers with one exit each; the exit with the\n\
         highest import local_pref wins everywhere inside; MED set on iBGP export is carried.",
    );
    d.router("x", 65001, &[P1, P2])
        .router("y", 65003, &[P1, P2])
        .router("z", 65004, &[P1])
        .router("m1", 65002, &[])
        .router("m2", 65002, &[])
        .router("m3", 65002, &[P3])
        .session("x", "m1", None, None, Some("lp200"), None)
        .link("y", "m2")
        .link("z", "m3")
        .session("m1", "m2", None, Some("med_p2"), None, None)
        .session("m1", "m3", None, Some("med_p2"), None, None)
        .link("m2", "m3")
        .policy(
            "lp200",
            vec![
                permit(vec![prefix(P1)], vec![Act::LocalPref(200)]),
                permit(vec![], vec![]),
            ],
        )
        .policy(
            "med_p2",
            vec![
                permit(vec![prefix(P2)], vec![Act::Med(40)]),
                permit(vec![], vec![]),
            ],
        )
        .expect("m1", P1, Some(&[65001]))
        .expect("m2", P1, Some(&[65001]))
        .expect("m3", P1, Some(&[65001]))
        // P2: m1 has [65001] (eBGP, med 0); m2 has its own eBGP [65003] and m1's [65001]
        // with med 40 over iBGP: eBGP med 0 wins. m3 has [65001] med 40 from m1 and
        // [65003] med 0 from m2: different neighbouring ASes, so the MEDs are not
        // compared; both over iBGP, the lower router id (m1) wins.
        .expect("m2", P2, Some(&[65003]))
        .expect("m3", P2, Some(&[65001]))
        .expect("z", P3, Some(&[65002]))
        .expect("x", P1, Some(&[]));
    d
}

fn ebgp_over_ibgp() -> Design {
    let mut d = Design::new(
        "ebgp_over_ibgp",
        "b1 and b2 (one AS) each learn P1 over eBGP from a different origin and over iBGP\n\
         from each other: equal local_pref, length and MED, so eBGP beats iBGP (x has the\n\
         highest router_id, so a router-id decision would pick differently at b2).",
    );
    d.router("a", 65001, &[P1])
        .router("b1", 65002, &[])
        .router("b2", 65002, &[])
        .router("x", 65003, &[P1])
        .link("a", "b1")
        .link("b1", "b2")
        .link("b2", "x")
        .expect("b1", P1, Some(&[65001]))
        .expect("b2", P1, Some(&[65003]))
        .expect("a", P1, Some(&[]));
    d
}

fn local_pref_reset_on_ebgp() -> Design {
    let mut d = Design::new(
        "local_pref_reset_on_ebgp",
        "b raises local_pref on import and again on export; neither crosses eBGP: c resets\n\
         it to 100 and prefers d's shorter path.",
    );
    d.router("a", 65001, &[P1])
        .router("b", 65002, &[])
        .router("c", 65003, &[])
        .router("d", 65004, &[])
        .session("a", "b", None, None, Some("lp200"), None)
        .session("b", "c", None, Some("lp500_long"), None, None)
        .link("a", "d")
        .link("d", "c")
        .policy("lp200", vec![permit(vec![], vec![Act::LocalPref(200)])])
        .policy(
            "lp500_long",
            vec![permit(
                vec![],
                vec![Act::LocalPref(500), Act::Prepend(65002, 2)],
            )],
        )
        .expect("b", P1, Some(&[65001]))
        .expect("c", P1, Some(&[65004, 65001]));
    d
}

fn local_pref_import() -> Design {
    let mut d = Design::new(
        "local_pref_import",
        "c raises local_pref on the longer path via b: local_pref beats AS-path length;\n\
         lowering it below 100 on the other path for P2 likewise.",
    );
    d.router("a", 65001, &[P1, P2])
        .router("b", 65002, &[])
        .router("b2", 65012, &[])
        .router("c", 65003, &[])
        .link("a", "b")
        .link("b", "b2")
        .session("b2", "c", None, None, Some("via_b"), None)
        .session("a", "c", None, None, Some("direct"), None)
        .policy(
            "via_b",
            vec![
                permit(vec![prefix(P1)], vec![Act::LocalPref(150)]),
                permit(vec![], vec![]),
            ],
        )
        .policy(
            "direct",
            vec![
                permit(vec![prefix(P2)], vec![Act::LocalPref(50)]),
                permit(vec![], vec![]),
            ],
        )
        .expect("c", P1, Some(&[65012, 65002, 65001]))
        .expect("c", P2, Some(&[65012, 65002, 65001]));
    d
}

fn local_route_wins() -> Design {
    let mut d = Design::new(
        "local_route_wins",
        "a originates P1 and learns it from b with local_pref 500: its own route (weight\n\
         32768) still wins.",
    );
    d.router("a", 65001, &[P1])
        .router("b", 65002, &[P1])
        .session("a", "b", Some("lp500"), None, None, None)
        .policy("lp500", vec![permit(vec![], vec![Act::LocalPref(500)])])
        .expect("a", P1, Some(&[]))
        .expect("b", P1, Some(&[]));
    d
}

fn med_always_compared() -> Design {
    let mut d = Design::new(
        "med_always_compared",
        "d learns P1 and P2 from b and c (different ASes) with equal length: MEDs are not\n\
         compared between neighbouring ASes (FRR's default), so the router id picks b for both.",
    );
    d.router("a", 65001, &[P1, P2])
        .router("b", 65002, &[])
        .router("c", 65003, &[])
        .router("d", 65004, &[])
        .link("a", "b")
        .link("a", "c")
        .session("b", "d", None, Some("med50"), None, None)
        .session("c", "d", None, Some("med20"), None, None)
        .policy(
            "med50",
            vec![
                permit(vec![prefix(P1)], vec![Act::Med(50)]),
                permit(vec![], vec![Act::Med(10)]),
            ],
        )
        .policy("med20", vec![permit(vec![], vec![Act::Med(20)])])
        .expect("d", P1, Some(&[65002, 65001]))
        .expect("d", P2, Some(&[65002, 65001]));
    d
}

fn med_not_passed_between_ases() -> Design {
    let mut d = Design::new(
        "med_not_passed_between_ases",
        "b sets MED 999 on import from a; it is not passed on to d (another AS), which sees\n\
         MED 0 from b and prefers it to c's MED 5.",
    );
    d.router("a", 65001, &[P1])
        .router("b", 65002, &[])
        .router("c", 65003, &[])
        .router("d", 65004, &[])
        .session("a", "b", None, None, Some("med999"), None)
        .link("a", "c")
        .link("b", "d")
        .session("c", "d", None, Some("med5"), None, None)
        .policy("med999", vec![permit(vec![], vec![Act::Med(999)])])
        .policy("med5", vec![permit(vec![], vec![Act::Med(5)])])
        .expect("d", P1, Some(&[65002, 65001]));
    d
}

fn prefix_ge_le() -> Design {
    let mut d = Design::new(
        "prefix_ge_le",
        "prefix conditions: exact, `le`, `ge`, `ge`+`le`.",
    );
    d.router(
        "a",
        65001,
        &[
            "10.1.0.0/16",
            "10.1.1.0/24",
            "10.1.2.128/25",
            "10.2.0.0/16",
            "10.3.0.0/16",
            "10.4.4.0/24",
        ],
    )
    .router("b", 65002, &[])
    .session("a", "b", None, None, Some("ranges"), None)
    .policy(
        "ranges",
        vec![
            deny(vec![Cond::Prefix(pm("10.1.0.0/16", Some(24), Some(24)))]),
            permit(vec![Cond::Prefix(pm("10.0.0.0/8", None, Some(16)))], vec![]),
            permit(
                vec![Cond::Prefix(pm("10.1.2.0/24", Some(25), None))],
                vec![],
            ),
            permit(vec![prefix("10.4.4.0/24")], vec![]),
        ],
    )
    .expect("b", "10.1.0.0/16", Some(&[65001]))
    .expect("b", "10.1.1.0/24", None)
    .expect("b", "10.1.2.128/25", Some(&[65001]))
    .expect("b", "10.2.0.0/16", Some(&[65001]))
    .expect("b", "10.3.0.0/16", Some(&[65001]))
    .expect("b", "10.4.4.0/24", Some(&[65001]));
    d
}

fn prefix_list() -> Design {
    let mut d = Design::new(
        "prefix_list",
        "a prefix_list on export: a sends only what the list matches, with a MED on it.",
    );
    d.router(
        "a",
        65001,
        &[
            "10.1.0.0/16",
            "10.1.5.0/24",
            "172.16.3.0/24",
            "192.168.0.0/16",
            "10.9.0.0/16",
        ],
    )
    .router("b", 65002, &[])
    .session("a", "b", None, Some("only_listed"), None, None)
    .prefix_list(
        "listed",
        vec![
            pm("10.1.0.0/16", None, Some(24)),
            pm("172.16.0.0/12", Some(24), Some(24)),
            pm("192.168.0.0/16", None, None),
        ],
    )
    .policy(
        "only_listed",
        vec![permit(
            vec![Cond::PrefixList("listed".into())],
            vec![Act::Med(7)],
        )],
    )
    .expect("b", "10.1.0.0/16", Some(&[65001]))
    .expect("b", "10.1.5.0/24", Some(&[65001]))
    .expect("b", "172.16.3.0/24", Some(&[65001]))
    .expect("b", "192.168.0.0/16", Some(&[65001]))
    .expect("b", "10.9.0.0/16", None);
    d
}

fn as_path_contains() -> Design {
    let mut d = Design::new(
        "as_path_contains",
        "`as_path contains`: on export the sender's own ASN is not in the path yet (c gets\n\
         everything); on import it is (e gets nothing from b); f does not get a's route.",
    );
    d.router("a", 65001, &[P1])
        .router("b", 65002, &[P2])
        .router("c", 65003, &[])
        .router("e", 65005, &[])
        .router("f", 65006, &[])
        .link("a", "b")
        .session("b", "c", None, Some("no_own"), None, None)
        .session("b", "e", None, None, Some("no_b"), None)
        .session("b", "f", None, Some("no_a"), None, None)
        .policy(
            "no_own",
            vec![
                deny(vec![Cond::AsPathContains(65002)]),
                permit(vec![], vec![]),
            ],
        )
        .policy(
            "no_b",
            vec![
                deny(vec![Cond::AsPathContains(65002)]),
                permit(vec![], vec![]),
            ],
        )
        .policy(
            "no_a",
            vec![
                deny(vec![Cond::AsPathContains(65001)]),
                permit(vec![], vec![]),
            ],
        )
        .expect("c", P1, Some(&[65002, 65001]))
        .expect("c", P2, Some(&[65002]))
        .expect("e", P1, None)
        .expect("e", P2, None)
        .expect("f", P1, None)
        .expect("f", P2, Some(&[65002]));
    d
}

fn as_path_length() -> Design {
    let mut d = Design::new(
        "as_path_length",
        "`as_path length` with every operator: e filters a chain by path length; f accepts\n\
         short paths only and exports only its own route (length 0 before prepend).",
    );
    d.router("a", 65001, &["10.1.0.0/16"])
        .router("b", 65002, &["10.2.0.0/16"])
        .router("c", 65003, &["10.3.0.0/16"])
        .router("d", 65004, &["10.4.0.0/16"])
        .router("e", 65005, &["10.5.0.0/16"])
        .router("f", 65006, &["10.6.0.0/16"])
        .link("a", "b")
        .link("b", "c")
        .link("c", "d")
        .session("d", "e", None, None, Some("by_len"), None)
        .session("d", "f", None, None, Some("short"), Some("own_only"))
        .policy(
            "by_len",
            vec![
                deny(vec![Cond::AsPathLength(Op::Eq, 3)]),
                permit(vec![Cond::AsPathLength(Op::Lt, 2)], vec![]),
                permit(
                    vec![Cond::AsPathLength(Op::Ge, 4)],
                    vec![Act::LocalPref(300)],
                ),
                deny(vec![Cond::AsPathLength(Op::Gt, 1)]),
                permit(vec![], vec![]),
            ],
        )
        .policy(
            "short",
            vec![permit(vec![Cond::AsPathLength(Op::Le, 2)], vec![])],
        )
        .policy(
            "own_only",
            vec![permit(vec![Cond::AsPathLength(Op::Eq, 0)], vec![])],
        )
        .expect("e", "10.4.0.0/16", Some(&[65004]))
        .expect("e", "10.3.0.0/16", None)
        .expect("e", "10.2.0.0/16", None)
        .expect("e", "10.1.0.0/16", Some(&[65004, 65003, 65002, 65001]))
        .expect("e", "10.6.0.0/16", None)
        .expect("f", "10.4.0.0/16", Some(&[65004]))
        .expect("f", "10.3.0.0/16", Some(&[65004, 65003]))
        .expect("f", "10.2.0.0/16", None)
        .expect("f", "10.5.0.0/16", Some(&[65004, 65005]))
        .expect("d", "10.6.0.0/16", Some(&[65006]))
        .expect("d", "10.5.0.0/16", Some(&[65005]));
    d
}

fn tags() -> Design {
    let mut d = Design::new(
        "tags",
        "communities: a tags P1; b swaps the tag on export; c prefers what carries the new\n\
         tag and denies the old one.",
    );
    d.router("a", 65001, &[P1, P2])
        .router("b", 65002, &[])
        .router("c", 65003, &[])
        .router("d", 65004, &[])
        .session("a", "b", None, Some("mark"), None, None)
        .session("b", "c", None, Some("swap"), Some("by_tag"), None)
        .link("a", "d")
        .link("d", "c")
        .policy(
            "mark",
            vec![
                permit(vec![prefix(P1)], vec![Act::AddTag(65000, 1)]),
                permit(vec![], vec![]),
            ],
        )
        .policy(
            "swap",
            vec![
                permit(
                    vec![Cond::Tag(65000, 1)],
                    vec![
                        Act::RemoveTag(65000, 1),
                        Act::AddTag(65000, 2),
                        Act::Prepend(65002, 2),
                    ],
                ),
                permit(vec![], vec![Act::Prepend(65002, 2)]),
            ],
        )
        .policy(
            "by_tag",
            vec![
                deny(vec![Cond::Tag(65000, 1)]),
                permit(vec![Cond::Tag(65000, 2)], vec![Act::LocalPref(200)]),
                permit(vec![], vec![]),
            ],
        )
        .expect("c", P1, Some(&[65002, 65002, 65002, 65001]))
        .expect("c", P2, Some(&[65004, 65001]));
    d
}

fn no_advertise() -> Design {
    let mut d = Design::new(
        "no_advertise",
        "a tags P1 with NO_ADVERTISE (65535:65282) on export to b, and b tags P3 on import:\n\
         b installs both but passes them to nobody; P2 flows on.",
    );
    d.router("a", 65001, &[P1, P2, P3])
        .router("b", 65002, &[])
        .router("c", 65003, &[])
        .session("a", "b", None, Some("noadv"), Some("noadv_p3"), None)
        .link("b", "c")
        .policy(
            "noadv",
            vec![
                permit(vec![prefix(P1)], vec![Act::AddTag(65535, 65282)]),
                permit(vec![], vec![]),
            ],
        )
        .policy(
            "noadv_p3",
            vec![
                permit(vec![prefix(P3)], vec![Act::AddTag(65535, 65282)]),
                permit(vec![], vec![]),
            ],
        )
        .expect("b", P1, Some(&[65001]))
        .expect("b", P3, Some(&[65001]))
        .expect("c", P1, None)
        .expect("c", P3, None)
        .expect("c", P2, Some(&[65002, 65001]));
    d
}

fn remove_private_as() -> Design {
    let mut d = Design::new(
        "remove_private_as",
        "b (public AS 100) strips private ASNs towards c, so c sees P1 as [100]; d shares\n\
         a's private ASN 65001 and, since it was removed, installs a's prefix.",
    );
    d.router("a", 65001, &[P1])
        .router("b", 100, &[])
        .router("c", 200, &[])
        .router("d", 65001, &[])
        .link("a", "b")
        .session("b", "c", None, Some("strip"), None, None)
        .link("c", "d")
        .policy("strip", vec![permit(vec![], vec![Act::RemovePrivateAs])])
        .expect("c", P1, Some(&[100]))
        .expect("d", P1, Some(&[200, 100]));
    d
}

fn remove_as() -> Design {
    let mut d = Design::new(
        "remove_as",
        "`remove_as` on export (c hides 65001 from d, which shares it) and on import (e drops\n\
         65002 from what it receives; its loop check ran before).",
    );
    d.router("a", 65001, &[P1])
        .router("b", 65002, &[])
        .router("c", 65003, &[])
        .router("d", 65001, &[])
        .router("e", 65005, &[])
        .link("a", "b")
        .link("b", "c")
        .session("c", "d", None, Some("hide"), None, None)
        .session("c", "e", None, None, Some("drop2"), None)
        .policy(
            "hide",
            vec![permit(vec![], vec![Act::RemoveAs(vec![65001])])],
        )
        .policy(
            "drop2",
            vec![permit(vec![], vec![Act::RemoveAs(vec![65002, 65009])])],
        )
        .expect("d", P1, Some(&[65003, 65002]))
        .expect("e", P1, Some(&[65003, 65001]));
    d
}

fn prepend_foreign_asn() -> Design {
    let mut d = Design::new(
        "prepend_foreign_asn",
        "b prepends c's ASN (65003) on P1 towards c: c's loop check drops it, so c\n\
         learns P1 only over the longer path through d.",
    );
    d.router("a", 65001, &[P1, P2])
        .router("b", 65002, &[])
        .router("c", 65003, &[])
        .router("d", 65004, &[])
        .router("d2", 65014, &[])
        .link("a", "b")
        .session("b", "c", None, Some("poison"), None, None)
        .link("a", "d")
        .link("d", "d2")
        .link("d2", "c")
        .policy(
            "poison",
            vec![
                permit(vec![prefix(P1)], vec![Act::Prepend(65003, 1)]),
                permit(vec![], vec![]),
            ],
        )
        .expect("c", P1, Some(&[65014, 65004, 65001]))
        .expect("c", P2, Some(&[65002, 65001]));
    d
}

fn implicit_deny() -> Design {
    let mut d = Design::new(
        "implicit_deny",
        "a policy whose rules do not match denies (the end of a policy denies), on export\n\
         and on import.",
    );
    d.router("a", 65001, &[P1, P2, P3])
        .router("b", 65002, &[])
        .router("c", 65003, &[])
        .session("a", "b", None, Some("only_p1_p2"), None, None)
        .session("b", "c", None, None, Some("only_p2"), None)
        .policy(
            "only_p1_p2",
            vec![
                permit(vec![prefix(P1)], vec![]),
                permit(vec![prefix(P2)], vec![]),
            ],
        )
        .policy(
            "only_p2",
            vec![deny(vec![prefix(P1)]), permit(vec![prefix(P2)], vec![])],
        )
        .expect("b", P1, Some(&[65001]))
        .expect("b", P3, None)
        .expect("c", P1, None)
        .expect("c", P2, Some(&[65002, 65001]))
        .expect("b", P2, Some(&[65001]));
    d
}
