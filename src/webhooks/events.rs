//! What a receiver gets, for the OpenAPI document's `webhooks` section: one event per
//! `POST`, signed, so a dashboard's generated client has the body's schema too.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem, Paths, PathsBuilder,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{Content, Ref, Required, ResponseBuilder};

use super::model::SUBSCRIBABLE;
use crate::outbox::EventType;

/// One event, the body of one delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEvent {
    /// Event id (UUID, growing with time); delivery is at least once, so a receiver drops an
    /// id it has seen.
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// When the event was written (in the change's own transaction).
    pub created_at: DateTime<Utc>,
    /// The unit the object belongs to (a commune; the webhook's unit for `stats.daily`).
    #[schema(example = "00004")]
    pub unit_code: String,
    /// `record.created`, `record.changed`: the record as the API shows it, with `kind`;
    /// `certification.changed`: the certification; `stats.daily`: `{day, communes:
    /// [{commune_code, name, metrics}]}`, every commune of the unit, zeros included; `ping`:
    /// `{webhook_id}`. Never a citizen id, its hash or a phone number.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

fn what(event: EventType) -> &'static str {
    match event {
        EventType::RecordCreated => "A record was stored",
        EventType::RecordChanged => "A record was edited, reviewed or voided",
        EventType::CertificationChanged => {
            "A certification was submitted, accepted, returned or reopened"
        }
        EventType::StatsDaily => {
            "A Vietnamese day ended: every metric of every commune of the unit for that day"
        }
        EventType::Ping => "A test from POST /api/v1/webhooks/{id}/test",
    }
}

fn header(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(
            utoipa::openapi::schema::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String),
        ))
        .build()
}

/// The `webhooks` section: one `POST` per event type, to the subscriber's `url`.
pub fn documented() -> Paths {
    let mut paths = PathsBuilder::new();
    for event in SUBSCRIBABLE.into_iter().chain([EventType::Ping]) {
        let name = event.as_str();
        let operation = OperationBuilder::new()
            .tag("webhooks")
            .operation_id(Some(format!("webhook_{}", name.replace('.', "_"))))
            .summary(Some(what(event)))
            .description(Some(
                "Sent to the webhook's `url` by the delivery worker, each webhook's events in \
                 order. Any 2xx within 10 s is delivered; anything else is retried after about \
                 30 s, then doubling, for 3 days, then `failed`.",
            ))
            .parameter(header("Gocua-Event-Id", "The event's `id`"))
            .parameter(header("Gocua-Event-Type", "The event's `type`"))
            .parameter(header(
                "Gocua-Signature",
                "`t=UNIX,v1=HEX`: HEX is HMAC-SHA256 under the webhook's secret of \
                 `UNIX + \".\" + body`",
            ))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .content(
                        "application/json",
                        Content::new(Some(Ref::from_schema_name("WebhookEvent"))),
                    )
                    .required(Some(Required::True))
                    .build(),
            ))
            .response(
                "200",
                ResponseBuilder::new().description("Delivered (any 2xx is)"),
            )
            .response(
                "400",
                ResponseBuilder::new()
                    .description("Not delivered (any non-2xx answer is): retried"),
            )
            .securities(Some(Vec::new()))
            .build();
        paths = paths.path(name, PathItem::new(HttpMethod::Post, operation));
    }
    paths.build()
}
