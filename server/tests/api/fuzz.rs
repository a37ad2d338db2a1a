//! Webhook bodies mutated from the tools' own sample payloads (`payloads/`), each posted
//! to a SQLite and a PostgreSQL server at once, through the parsers and the alert writer:
//! no body gets a 5xx, and both databases give every body the same answer.
//!
//! `FUZZ_CASES` (default 300) sets how many bodies, `FUZZ_SEED` the sequence; a failure
//! prints the seed, the case and the body, so it can be run again.

use crate::helpers::{bounded_within, payload, spawn_app, Backend, TestApp};
use app::ssr::secrets::sign;
use serde_json::{json, Value};

const PAGERDUTY_KEY: &str = "pd-signing-secret-0123456789abcdef";

/// A small, seeded generator (xorshift64*): the same seed, the same bodies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Values a field might be given instead of its own.
fn odd_value(rng: &mut Rng) -> Value {
    let strings = [
        "",
        " ",
        "\u{0}",
        "a\u{0}b",
        "\u{1}\u{1f}\u{7f}",
        "DOWN",
        "UP",
        "resolved",
        "firing",
        "ALARM",
        "OK",
        "incident.triggered",
        "incident.resolved",
        "javascript:alert(1)",
        "https://example.com/\u{0}",
        "2026-13-45T99:99:99Z",
        "1e400",
        "-1",
        "🔥🔥🔥",
        "\u{202e}reversed",
        "SEV1",
        "critical",
    ];
    match rng.below(9) {
        0 => json!(strings[rng.below(strings.len())]),
        1 => json!("x".repeat(rng.below(600))),
        2 => json!([-1, 0, 1, i64::MAX, i64::MIN][rng.below(5)]),
        3 => json!([0.5, 1e308, -1e-308][rng.below(3)]),
        4 => json!(u64::MAX),
        5 => json!(rng.chance(2)),
        6 => Value::Null,
        7 => json!({}),
        _ => json!([]),
    }
}

/// Changes one place of `value`: a field replaced, removed or renamed, an element
/// repeated, or (for SNS) the alarm inside `Message` changed instead.
fn mutate(value: &mut Value, rng: &mut Rng) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = keys[rng.below(keys.len())].clone();
            if key == "Message" && rng.chance(2) {
                if let Some(Value::String(text)) = map.get(&key) {
                    if let Ok(mut inner) = serde_json::from_str::<Value>(text) {
                        mutate(&mut inner, rng);
                        map.insert(key, Value::String(inner.to_string()));
                        return;
                    }
                }
            }
            match rng.below(6) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    if let Some(v) = map.remove(&key) {
                        map.insert(key.to_uppercase(), v);
                    }
                }
                2 | 3 => {
                    map.insert(key, odd_value(rng));
                }
                _ => {
                    if let Some(inner) = map.get_mut(&key) {
                        mutate(inner, rng);
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let i = rng.below(items.len());
            match rng.below(3) {
                0 => {
                    let copy = items[i].clone();
                    items.push(copy);
                }
                1 => items[i] = odd_value(rng),
                _ => mutate(&mut items[i], rng),
            }
        }
        other => *other = odd_value(rng),
    }
}

/// The bytes of a case: the JSON written out, or now and then cut short or with a byte
/// changed (not JSON any more).
fn bytes_of(value: &Value, rng: &mut Rng) -> Vec<u8> {
    let mut bytes = value.to_string().into_bytes();
    match rng.below(12) {
        0 => bytes.truncate(rng.below(bytes.len().max(1))),
        1 => {
            let i = rng.below(bytes.len().max(1));
            if let Some(b) = bytes.get_mut(i) {
                *b = [0u8, b'"', b'{', 0xff][rng.below(4)];
            }
        }
        _ => {}
    }
    bytes
}

struct Target {
    kind: &'static str,
    sample: &'static str,
    url: String,
    signed: bool,
}

/// One source of each kind on `app`, PagerDuty's with a signing key.
async fn sources(app: &TestApp) -> Vec<Target> {
    let mut targets = Vec::new();
    for (kind, sample) in [
        ("pingdom", "pingdom"),
        ("newrelic", "newrelic"),
        ("cloudwatch", "sns-alarm"),
        ("cloudwatch", "sns-subscription-confirmation"),
        ("pagerduty", "pagerduty"),
        ("generic", "generic"),
    ] {
        let source = app
            .add_source(kind, &format!("Fuzz {sample}"), "fuzz-api")
            .await;
        let signed = kind == "pagerduty";
        if signed {
            app.set_signing_secret(&source.public_id, PAGERDUTY_KEY)
                .await;
        }
        let url = if signed {
            source.signed_url.clone().unwrap()
        } else {
            source.url.clone()
        };
        targets.push(Target {
            kind,
            sample,
            url,
            signed,
        });
    }
    targets
}

/// Status and body as answered.
async fn post(app: &TestApp, target: &Target, body: &[u8]) -> (u16, String) {
    let headers = if target.signed {
        vec![("x-pagerduty-signature", sign(PAGERDUTY_KEY, body, "v1="))]
    } else {
        vec![]
    };
    let res = app.deliver_raw(&target.url, body.to_vec(), &headers).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

/// A number from the environment, or `default`.
fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

#[tokio::test]
async fn mutated_deliveries_never_fail_and_both_databases_agree() {
    let cases: usize = env_or("FUZZ_CASES", 300);
    // Far more than a case takes (a few ms on each database): only a stuck run trips it.
    let limit = std::time::Duration::from_millis(120_000 + 50 * cases as u64);
    bounded_within("fuzz::mutated_deliveries", limit, async {
        let seed: u64 = env_or("FUZZ_SEED", 0x5eed_0f_a1e7);
        let sqlite = spawn_app(Backend::Sqlite).await;
        let postgres = spawn_app(Backend::Postgres).await;
        let (on_sqlite, on_postgres) = (sources(&sqlite).await, sources(&postgres).await);
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut answered = std::collections::BTreeMap::<u16, usize>::new();
        for case in 0..cases {
            let which = rng.below(on_sqlite.len());
            let mut body = payload(on_sqlite[which].sample);
            for _ in 0..=rng.below(3) {
                mutate(&mut body, &mut rng);
            }
            let bytes = bytes_of(&body, &mut rng);
            let a = post(&sqlite, &on_sqlite[which], &bytes).await;
            let b = post(&postgres, &on_postgres[which], &bytes).await;
            let shown = String::from_utf8_lossy(&bytes);
            let kind = on_sqlite[which].kind;
            assert!(
                a.0 < 500 && b.0 < 500,
                "seed {seed} case {case} ({kind}): SQLite {a:?}, PostgreSQL {b:?} for {shown}"
            );
            assert_eq!(
                a, b,
                "seed {seed} case {case} ({kind}): the databases differ for {shown}"
            );
            *answered.entry(a.0).or_default() += 1;
        }
        println!("{cases} mutated deliveries, answered {answered:?}");
        sqlite.finish().await;
        postgres.finish().await;
    })
    .await
}
