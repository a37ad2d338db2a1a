use server::{build_app, Config, StartError};

#[tokio::test]
async fn a_database_that_cannot_be_opened_names_database_url() {
    let config = Config::local("sqlite:///nonexistent-dir/for/sure/stormwatch.db");
    let err = build_app(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .err()
        .expect("start-up fails");
    assert!(matches!(err, StartError::Database { .. }));
    let line = err.to_string();
    assert!(
        line.starts_with("cannot open the database at DATABASE_URL="),
        "{line}"
    );
    assert!(!line.contains('\n'), "one line: {line}");
}

#[tokio::test]
async fn the_dev_login_is_refused_on_a_public_address() {
    let config = Config {
        site_addr: "0.0.0.0:3000".parse().unwrap(),
        ..Config::local("sqlite::memory:")
    };
    let err = build_app(&config, config.site_addr)
        .await
        .err()
        .expect("start-up fails");
    assert!(
        err.to_string().contains("AUTH_DEV_LOGIN=1 is refused"),
        "{err}"
    );
}
