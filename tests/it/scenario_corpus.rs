//! The corpus of bad scenario files (tests/scenarios/bad): each file's `# expect:` lines must
//! each appear in the problems reported — key path and line — and nothing may panic. The
//! reference scenario, which documents every key, must load, and so must every example.

use sqsbench::scenario::validate::scenario_from_text;

#[test]
fn every_bad_scenario_names_its_key_and_line() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/bad");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expected: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(
            !expected.is_empty(),
            "{} has no # expect: line",
            path.display()
        );
        let problems = scenario_from_text(&text, &[])
            .expect_err(&format!("{} must be refused", path.display()));
        let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        for e in expected {
            assert!(
                shown.iter().any(|s| s.contains(e)),
                "{}: expected a problem containing {e:?}, got {shown:#?}",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 15, "the corpus has {checked} files");
}

#[test]
fn every_example_scenario_loads() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut loaded = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            if let Err(problems) = scenario_from_text(&text, &[]) {
                panic!("{}: {problems:#?}", path.display());
            }
            loaded += 1;
        }
    }
    assert!(loaded >= 1);
}

#[test]
fn overrides_from_the_command_line_are_named_as_such() {
    let text = "name = \"x\"\n[[producers]]\nrate = \"10/s\"\n";
    let problems = scenario_from_text(text, &["producers.batch_size=99".to_string()]).unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "--set producers[0].batch_size: 99 is out of range (1 to 10)"
    );
    let s = scenario_from_text(
        text,
        &[
            "producers.rate=500/s".to_string(),
            "run.duration=2s".to_string(),
        ],
    )
    .unwrap();
    assert_eq!(
        s.producers[0].rate,
        sqsbench::scenario::RateSpec::Constant(500.0)
    );
    assert_eq!(s.run.duration, std::time::Duration::from_secs(2));
}

#[test]
fn a_scenario_has_at_most_64_fleets() {
    let fleets = |n: usize| {
        let mut text = String::from("name = \"many\"\n");
        for _ in 0..n {
            text.push_str("[[producers]]\nrate = \"1/s\"\n");
        }
        text
    };
    assert!(scenario_from_text(&fleets(64), &[]).is_ok());
    let problems = scenario_from_text(&fleets(65), &[]).unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "line 130: producers[64]: a scenario has at most 64 fleets (producers and consumers together)"
    );
}
