//! Two tower-cors layers on one request: the outer one answers every preflight and replaces the
//! inner one's headers, so the inner policy never applies. The inner layer says so, once, at
//! `warn` under `tower_cors::runtime`, naming both policies and the fix.

#[path = "common/logs.rs"]
mod logs;

use std::convert::Infallible;

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use http::{Request, StatusCode};
use tower::ServiceExt;
use tower_cors::CorsLayer;

fn get_items(origin: &str) -> Request<Body> {
    Request::get("/api/items")
        .header("origin", origin)
        .body(Body::empty())
        .unwrap()
}

fn stacked_warnings(app: &Router, requests: usize) -> Vec<logs::Captured> {
    logs::events(|| {
        futures::executor::block_on(async {
            for _ in 0..requests {
                let response = app
                    .clone()
                    .oneshot(get_items("https://app.example.com"))
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
            }
        });
    })
    .into_iter()
    .filter(|event| {
        event.target == "tower_cors::runtime"
            && event
                .field("message")
                .is_some_and(|message| message.contains("two tower-cors layers"))
    })
    .collect()
}

#[test]
fn an_inner_layer_under_another_warns_once_naming_both_policies() {
    let public = CorsLayer::builder().allow_any_origin().build().unwrap();
    let strict = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_credentials(true)
        .build()
        .unwrap();
    let app = Router::new()
        .route("/api/items", get(|| async { Ok::<_, Infallible>("[]") }))
        .layer(strict)
        .layer(public);
    let warnings = stacked_warnings(&app, 3);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let warning = &warnings[0];
    assert_eq!(warning.level, tracing::Level::WARN);
    assert_eq!(
        warning.field("outer"),
        Some("origins [\"*\"], without credentials")
    );
    assert_eq!(
        warning.field("inner"),
        Some("origins [\"https://app.example.com\"], with credentials")
    );
    assert!(
        warning
            .field("message")
            .unwrap()
            .contains("Use one tower-cors layer, outermost"),
        "{warning:?}"
    );
}

#[test]
fn one_layer_alone_gives_no_such_warning() {
    let cors = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .build()
        .unwrap();
    let app = Router::new()
        .route("/api/items", get(|| async { "[]" }))
        .layer(cors);
    assert_eq!(stacked_warnings(&app, 2).len(), 0);
}

#[test]
fn two_layers_in_one_service_builder_are_noticed_too() {
    let public = CorsLayer::builder().allow_any_origin().build().unwrap();
    let strict = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .build()
        .unwrap();
    let service = tower::ServiceBuilder::new()
        .layer(public)
        .layer(strict)
        .service(tower::service_fn(|_: Request<Body>| async {
            Ok::<_, Infallible>(http::Response::new(Body::empty()))
        }));
    let warnings: Vec<_> = logs::events(|| {
        let response =
            futures::executor::block_on(service.oneshot(get_items("https://app.example.com")))
                .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    })
    .into_iter()
    .filter(|event| event.field("outer").is_some())
    .collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(
        warnings[0].field("inner"),
        Some("origins [\"https://app.example.com\"], without credentials")
    );
}
