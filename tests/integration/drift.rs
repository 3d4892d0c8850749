//! `charter drift ssm` as users call it, against a real emulator of the AWS API:
//! the moto server `scripts/with-moto.sh` starts (it sets
//! `CHARTER_TEST_AWS_ENDPOINT`; without it these tests fail rather than skip). The
//! store is seeded with boto3 from the project's `.venv`, each test under its own
//! platform (so its own prefix), so tests run in parallel. Every seeded value is a
//! canary: no byte of one may appear in stdout, stderr or any file.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support;

/// The moto server the test command started.
fn endpoint() -> String {
    std::env::var("CHARTER_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "CHARTER_TEST_AWS_ENDPOINT is not set: the drift tests need the moto server; \
             run them under scripts/with-moto.sh (scripts/test.sh does), after \
             scripts/install-validators.sh moto"
        )
    })
}

fn python() -> PathBuf {
    let python = support::repo_root().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run scripts/install-validators.sh moto",
        python.display()
    );
    python
}

/// One parameter or secret to seed. `value` is a canary.
#[derive(Clone)]
struct Seed {
    name: String,
    /// `String`, `StringList` or `SecureString`; `None` for a Secrets Manager secret.
    parameter_type: Option<&'static str>,
    key: Option<String>,
    value: String,
}

impl Seed {
    fn parameter(name: &str, kind: &'static str) -> Self {
        Self {
            name: name.to_string(),
            parameter_type: Some(kind),
            key: None,
            value: canary(name),
        }
    }

    fn secret(name: &str) -> Self {
        Self {
            name: name.to_string(),
            parameter_type: None,
            key: None,
            value: canary(name),
        }
    }

    fn key(mut self, key: &str) -> Self {
        self.key = Some(key.to_string());
        self
    }
}

/// A value no output may contain: distinct per entry, and unlike any other text.
fn canary(name: &str) -> String {
    let digest: u32 = name.bytes().fold(2_166_136_261_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    });
    format!("CANARY{digest:08x}zQ7vX")
}

const SEED_SCRIPT: &str = r#"
import json, sys, boto3
cfg = json.load(sys.stdin)
kw = dict(endpoint_url=cfg["endpoint"], region_name="us-west-2",
          aws_access_key_id="test", aws_secret_access_key="test")
ssm = boto3.client("ssm", **kw)
sm = boto3.client("secretsmanager", **kw)
for s in cfg["seeds"]:
    if s["type"]:
        args = dict(Name=s["name"], Value=s["value"], Type=s["type"], Overwrite=True)
        if s["key"]:
            args["KeyId"] = s["key"]
        ssm.put_parameter(**args)
    else:
        args = dict(Name=s["name"], SecretString=s["value"])
        if s["key"]:
            args["KmsKeyId"] = s["key"]
        sm.create_secret(**args)
"#;

/// Seeds the store at `endpoint` with boto3.
fn seed(endpoint: &str, seeds: &[Seed]) {
    let config = serde_json::json!({
        "endpoint": endpoint,
        "seeds": seeds.iter().map(|s| serde_json::json!({
            "name": s.name, "type": s.parameter_type, "key": s.key, "value": s.value,
        })).collect::<Vec<_>>(),
    });
    let mut child = Command::new(python())
        .args(["-c", SEED_SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(config.to_string().as_bytes())
        .expect("write seeds");
    let out = child.wait_with_output().expect("python");
    assert!(
        out.status.success(),
        "seeding moto failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A spec of one app and one environment `prod` under platform `platform`, with
/// three secrets: `database-url` (Secrets Manager, `kms-key="alias/shop-prod"`),
/// `api-key` and `session-token` (SSM).
fn spec(platform: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        r##"platform "{platform}" {{
    owner "shop-team" chat="#shop" email="shop-team@example.com"
    repo "example-org/shop"
    deploy command="katana deploy --config {{config}}"
}}

app "shop" kind="container" {{
    image "ghcr.io/example-org/shop" tag="1.0.0"
    port 8080
    health "/healthz" interval="30s" timeout="5s" unhealthy-after=3
}}

environment "prod" {{
    tier "development"
    account "111111111111"
    region "us-west-2" primary=#true
    domain "shop.example.com"
    scale "shop" min=1 max=2 cpu-target=70
    secret "database-url" store="secrets-manager" for="shop" env="DATABASE_URL" rotate="90d" kms-key="alias/shop-prod"
    secret "api-key" store="ssm" for="shop" env="API_KEY" rotate="30d"
    secret "session-token" store="ssm" for="shop" env="SESSION_TOKEN"
}}
"##
    );
    std::fs::write(dir.path().join("charter.kdl"), text).expect("write spec");
    dir
}

/// The declared three, all as the spec wants them.
fn declared(platform: &str) -> Vec<Seed> {
    vec![
        Seed::secret(&format!("/{platform}/prod/database-url")).key("alias/shop-prod"),
        Seed::parameter(&format!("/{platform}/prod/api-key"), "SecureString"),
        Seed::parameter(&format!("/{platform}/prod/session-token"), "SecureString"),
    ]
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// `charter drift ssm --env prod` on `dir` with `args`, with test credentials and
/// nothing else of the caller's AWS configuration.
fn drift(dir: &Path, endpoint: Option<&str>, env: &[(&str, &str)], args: &[&str]) -> Run {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = support::charter_bin();
    cmd.args(["drift", "ssm", "--spec"])
        .arg(dir)
        .args(["--env", "prod"])
        .args(args);
    if let Some(url) = endpoint {
        cmd.args(["--endpoint-url", url]);
    }
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-west-2");
    for (key, value) in env {
        if value.is_empty() {
            cmd.env_remove(key);
        } else {
            cmd.env(key, value);
        }
    }
    let start = Instant::now();
    let out = cmd.output().expect("run charter");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
        took: start.elapsed(),
    }
}

/// No byte sequence of any canary in the run's output or in any file of `dir`.
fn assert_no_canary(seeds: &[Seed], run: &Run, dir: &Path, before: &BTreeMap<String, Vec<u8>>) {
    let after = support::tree(dir);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "drift ssm wrote files"
    );
    for seed in seeds {
        for (what, text) in [
            ("stdout", run.stdout.as_bytes()),
            ("stderr", run.stderr.as_bytes()),
        ] {
            assert!(
                !contains(text, seed.value.as_bytes()),
                "the value of {} appears in {what}",
                seed.name
            );
            // Not even a part of one ("CANARY" alone is the common prefix).
            assert!(
                !contains(text, b"zQ7vX"),
                "a canary fragment appears in {what}"
            );
        }
        for (path, bytes) in &after {
            assert!(
                !contains(bytes, seed.value.as_bytes()) && !contains(bytes, b"zQ7vX"),
                "the value of {} appears in {path}",
                seed.name
            );
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The codes and messages of a JSON report.
fn findings(json: &str) -> Vec<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(json).expect("drift --format json is JSON");
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("code").to_string(),
                f["message"].as_str().expect("message").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_seeded_store_reports_missing_unexpected_wrong_type_and_wrong_key() {
    let url = endpoint();
    let platform = "drift-seeded";
    let dir = spec(platform);
    let seeds = vec![
        // database-url: in Secrets Manager, under the account's default key.
        Seed::secret(&format!("/{platform}/prod/database-url")),
        // api-key: a String, readable in clear.
        Seed::parameter(&format!("/{platform}/prod/api-key"), "String"),
        // session-token: missing. Undeclared leftovers, one nested:
        Seed::parameter(&format!("/{platform}/prod/old-api-key"), "SecureString"),
        Seed::parameter(&format!("/{platform}/prod/legacy/token"), "StringList"),
        Seed::secret(&format!("/{platform}/prod/old-database-url")),
        // Outside the prefix: not the spec's business.
        Seed::parameter(&format!("/{platform}/prodx/api-key"), "SecureString"),
        Seed::parameter(&format!("/{platform}/staging/api-key"), "SecureString"),
    ];
    seed(&url, &seeds);
    let before = support::tree(dir.path());

    let human = drift(dir.path(), Some(&url), &[], &[]);
    assert_eq!(human.code, Some(2), "{}{}", human.stdout, human.stderr);
    assert_no_canary(&seeds, &human, dir.path(), &before);
    insta::assert_snapshot!("drift_ssm_seeded_human", human.stdout);

    let json = drift(dir.path(), Some(&url), &[], &["--format", "json"]);
    assert_eq!(json.code, Some(2), "{}", json.stderr);
    assert_no_canary(&seeds, &json, dir.path(), &before);
    let mut codes: Vec<String> = findings(&json.stdout).into_iter().map(|(c, _)| c).collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "drift/missing",
            "drift/unexpected",
            "drift/unexpected",
            "drift/unexpected",
            "drift/wrong-kms-key",
            "drift/wrong-type",
        ]
    );

    for format in ["sarif", "github"] {
        let run = drift(dir.path(), Some(&url), &[], &["--format", format]);
        assert_eq!(run.code, Some(2), "{format}: {}", run.stderr);
        assert_no_canary(&seeds, &run, dir.path(), &before);
        assert!(
            run.stdout.contains("drift/wrong-type"),
            "{format}: {}",
            run.stdout
        );
        if format == "sarif" {
            let sarif: serde_json::Value =
                serde_json::from_str(&run.stdout).expect("SARIF is JSON");
            assert_eq!(sarif["version"], "2.1.0");
        } else {
            assert!(
                run.stdout.contains("::error file=charter.kdl,line=21"),
                "{}",
                run.stdout
            );
        }
    }
}

#[test]
fn a_store_that_matches_is_no_drift() {
    let url = endpoint();
    let platform = "drift-clean";
    let dir = spec(platform);
    let mut seeds = declared(platform);
    // A neighbour's parameter with a longer name under the same words.
    seeds.push(Seed::parameter(
        &format!("/{platform}/prod-sdm/api-key"),
        "SecureString",
    ));
    seed(&url, &seeds);
    let before = support::tree(dir.path());
    let run = drift(dir.path(), Some(&url), &[], &[]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert_no_canary(&seeds, &run, dir.path(), &before);
    assert_eq!(
        run.stdout,
        format!(
            "no drift in environment `prod` (/{platform}/prod/)\n  listed 2 parameters and 1 secret under \
             the prefix; compared 2 declared secrets kept in SSM and 1 in Secrets Manager (metadata only: no \
             value was read)\n"
        )
    );
    // Rotation is judged by the store's dates: a year on, both rotated ones are overdue.
    let later = drift(
        dir.path(),
        Some(&url),
        &[],
        &["--today", "2099-01-01", "--format", "json"],
    );
    assert_eq!(later.code, Some(2), "{}", later.stderr);
    let found = findings(&later.stdout);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .all(|(code, _)| code == "drift/rotation-overdue"),
        "{found:?}"
    );
}

#[test]
fn more_than_500_parameters_are_read_page_by_page() {
    let url = endpoint();
    let platform = "drift-pages";
    let dir = spec(platform);
    let mut seeds = declared(platform);
    for i in 0..600 {
        seeds.push(Seed::parameter(
            &format!("/{platform}/prod/extra/p{i:04}"),
            "SecureString",
        ));
    }
    seed(&url, &seeds);
    let before = support::tree(dir.path());
    let run = drift(dir.path(), Some(&url), &[], &["--format", "json"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert_no_canary(&seeds, &run, dir.path(), &before);
    let found = findings(&run.stdout);
    assert_eq!(found.len(), 600);
    for i in [0, 49, 50, 51, 499, 500, 599] {
        let name = format!("`/{platform}/prod/extra/p{i:04}`");
        assert!(
            found
                .iter()
                .any(|(code, message)| code == "drift/unexpected" && message.contains(&name)),
            "{name} is not reported"
        );
    }
    let human = drift(dir.path(), Some(&url), &[], &[]);
    assert!(
        human.stdout.contains("listed 602 parameters and 1 secret"),
        "{}",
        human.stdout.lines().last().unwrap_or("")
    );
}

#[test]
fn an_unreachable_endpoint_is_an_error_within_seconds() {
    // A port nothing listens on: connection refused.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let dir = spec("drift-unreachable");
    let url = format!("http://127.0.0.1:{closed}");
    let run = drift(dir.path(), Some(&url), &[], &[]);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains(&format!("cannot reach SSM at {url}")),
        "{}",
        run.stderr
    );
    assert!(run.took < Duration::from_secs(15), "took {:?}", run.took);

    // A server that accepts the connection and never answers: a timeout, not a hang.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", silent.local_addr().expect("addr"));
    let run = drift(dir.path(), Some(&url), &[], &[]);
    drop(silent);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains(&format!("SSM at {url} did not answer in time")),
        "{}",
        run.stderr
    );
    assert!(run.took < Duration::from_secs(20), "took {:?}", run.took);
}

#[test]
fn missing_credentials_and_region_are_clear_errors() {
    let url = endpoint();
    let dir = spec("drift-config");
    let run = drift(
        dir.path(),
        Some(&url),
        &[("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", "")],
        &[],
    );
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("no AWS credentials were found"),
        "{}",
        run.stderr
    );
    assert!(run.took < Duration::from_secs(15), "took {:?}", run.took);

    let run = drift(dir.path(), Some(&url), &[("AWS_REGION", "")], &[]);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("no AWS region is configured"),
        "{}",
        run.stderr
    );

    let run = drift(dir.path(), Some(&url), &[("AWS_REGION", "westeurope")], &[]);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("`westeurope` is not an AWS region"),
        "{}",
        run.stderr
    );

    let out = support::charter_bin()
        .args(["drift", "ssm", "--env", "nowhere", "--spec"])
        .arg(dir.path())
        .output()
        .expect("run charter");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nowhere") && stderr.contains("prod"),
        "{stderr}"
    );
}

/// A moto server of this test's own, with IAM authentication switched on after it
/// is seeded (moto's `/moto-api/reset-auth`), stopped when dropped.
struct AuthMoto {
    child: std::process::Child,
    url: String,
}

impl Drop for AuthMoto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const IAM_SCRIPT: &str = r#"
import json, sys, urllib.request, boto3
url = sys.argv[1]
kw = dict(endpoint_url=url, region_name="us-west-2",
          aws_access_key_id="test", aws_secret_access_key="test")
iam = boto3.client("iam", **kw)
iam.create_user(UserName="reader")
iam.put_user_policy(UserName="reader", PolicyName="not-ssm", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}))
key = iam.create_access_key(UserName="reader")["AccessKey"]
req = urllib.request.Request(url + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"})
urllib.request.urlopen(req).read()
print(key["AccessKeyId"], key["SecretAccessKey"])
"#;

impl AuthMoto {
    fn start() -> (Self, String, String) {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            listener.local_addr().expect("addr").port()
        };
        let moto = support::repo_root().join(".venv/bin/moto_server");
        let child = Command::new(&moto)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", moto.display()));
        let server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_mins(1);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on {port}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        let out = Command::new(python())
            .args(["-c", IAM_SCRIPT, &server.url])
            .output()
            .expect("python");
        assert!(
            out.status.success(),
            "IAM setup failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("utf-8");
        let (id, secret) = text.trim().split_once(' ').expect("key id and secret");
        (server, id.to_string(), secret.to_string())
    }
}

#[test]
fn bad_credentials_and_access_denied_are_clear_errors() {
    let (moto, id, secret) = AuthMoto::start();
    let dir = spec("drift-auth");
    let run = drift(dir.path(), Some(&moto.url), &[], &[]);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("SSM refused the credentials"),
        "{}",
        run.stderr
    );

    let run = drift(
        dir.path(),
        Some(&moto.url),
        &[
            ("AWS_ACCESS_KEY_ID", &id),
            ("AWS_SECRET_ACCESS_KEY", &secret),
        ],
        &[],
    );
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("access denied to ssm:DescribeParameters"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&secret), "the secret key is echoed");
}
