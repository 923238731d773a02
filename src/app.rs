//! The composition root: routing and the OpenAPI document, built in one place so the
//! server, the tests and `gocua openapi` cannot drift apart. Only `main` (and the tests)
//! import it; the state every handler shares lives below the domains, in `state`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, middleware, web};
use utoipa::openapi::OpenApi;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::messages as msg;
use crate::records::queue::CreateQueue;
use crate::state::AppState;

/// Path of the generated spec.
pub const OPENAPI_PATH: &str = "/api-docs/openapi.json";

fn routes<T>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    use crate::records::handlers as rec;
    use crate::{apikeys, audit, auth, campaigns, ops, stats, sync, teams, units, users};
    app.service(ops::handlers::healthz)
        .service(ops::handlers::readyz)
        .service(ops::handlers::metrics)
        .service(
            scope::scope("/api/v1")
                .service(auth::handlers::login)
                .service(auth::handlers::refresh)
                .service(auth::handlers::logout)
                .service(auth::handlers::me)
                .service(auth::handlers::change_password)
                .service(units::handlers::list_units)
                .service(units::handlers::get_unit)
                .service(units::hamlets::handlers::rename_unit)
                .service(units::hamlets::handlers::create_hamlet)
                .service(units::hamlets::handlers::create_rearrangement)
                .service(units::hamlets::handlers::list_rearrangements)
                .service(crate::population::handlers::get_population)
                .service(crate::population::handlers::put_population)
                .service(users::handlers::create_user)
                .service(users::handlers::list_users)
                .service(users::handlers::get_user)
                .service(users::handlers::update_user)
                .service(teams::handlers::create_team)
                .service(teams::handlers::list_teams)
                .service(teams::handlers::get_team)
                .service(teams::handlers::update_team)
                .service(teams::handlers::put_member)
                .service(teams::handlers::put_hamlets)
                .service(teams::handlers::remove_member)
                .service(rec::create_visit)
                .service(rec::list_visits)
                .service(rec::get_visit)
                .service(rec::update_visit)
                .service(rec::void_visit)
                .service(rec::review_visit)
                .service(rec::create_vneid_assist)
                .service(rec::list_vneid_assists)
                .service(rec::get_vneid_assist)
                .service(rec::update_vneid_assist)
                .service(rec::void_vneid_assist)
                .service(rec::review_vneid_assist)
                .service(rec::create_signature_registration)
                .service(rec::list_signature_registrations)
                .service(rec::get_signature_registration)
                .service(rec::update_signature_registration)
                .service(rec::void_signature_registration)
                .service(rec::review_signature_registration)
                .service(rec::create_training_session)
                .service(rec::list_training_sessions)
                .service(rec::get_training_session)
                .service(rec::update_training_session)
                .service(rec::void_training_session)
                .service(rec::review_training_session)
                .service(rec::list_follow_ups)
                .service(crate::records::handlers::exports::export_visits)
                .service(crate::records::handlers::exports::export_vneid_assists)
                .service(crate::records::handlers::exports::export_signature_registrations)
                .service(crate::records::handlers::exports::export_training_sessions)
                .service(campaigns::handlers::create_campaign)
                .service(campaigns::handlers::list_campaigns)
                .service(campaigns::handlers::get_campaign)
                .service(campaigns::handlers::put_targets)
                .service(campaigns::handlers::progress)
                .service(crate::certifications::handlers::certify)
                .service(crate::certifications::handlers::list_certifications)
                .service(crate::certifications::handlers::get_certification)
                .service(crate::certifications::handlers::accept_certification)
                .service(crate::certifications::handlers::return_certification)
                .service(crate::certifications::handlers::reopen_certification)
                .service(crate::privacy::handlers::lookup)
                .service(crate::privacy::handlers::erase)
                .service(crate::webhooks::handlers::create_webhook)
                .service(crate::webhooks::handlers::list_webhooks)
                .service(crate::webhooks::handlers::get_webhook)
                .service(crate::webhooks::handlers::delete_webhook)
                .service(crate::webhooks::handlers::test_webhook)
                .service(crate::webhooks::handlers::list_deliveries)
                .service(stats::handlers::summary)
                .service(stats::handlers::summary_csv)
                .service(stats::handlers::breakdown)
                .service(stats::handlers::breakdown_csv)
                .service(crate::records::handlers::anomalies::anomalies)
                .service(audit::handlers::list_audit)
                .service(apikeys::handlers::create_key)
                .service(apikeys::handlers::list_keys)
                .service(apikeys::handlers::revoke_key)
                .service(sync::handlers::meta::meta)
                .service(sync::handlers::sync)
                .service(sync::handlers::sync_state)
                .service(crate::households::handlers::create_household)
                .service(crate::households::handlers::list_households)
                .service(crate::households::handlers::get_household)
                .service(crate::households::handlers::update_household)
                .service(crate::households::handlers::close_household)
                .service(crate::households::handlers::household_history)
                .service(crate::households::handlers::get_definition)
                .service(crate::households::handlers::put_definition)
                .service(crate::households::handlers::sync_households)
                .service(crate::households::handlers::household_figures)
                .service(crate::households::handlers::erase_household),
        )
}

/// The OpenAPI document the server serves at [`OPENAPI_PATH`].
pub fn openapi() -> OpenApi {
    let (_, api) =
        routes(App::new().into_utoipa_app().openapi(crate::openapi::base())).split_for_parts();
    let mut api = crate::openapi::finish(api);
    api.webhooks = Some(crate::webhooks::events::documented());
    let components = api.components.get_or_insert_with(Default::default);
    components.schemas.insert(
        "WebhookEvent".into(),
        <crate::webhooks::events::WebhookEvent as utoipa::PartialSchema>::schema(),
    );
    api
}

/// The documented paths and their methods, so an unknown method on a known path answers
/// 405 with `Allow` instead of 404.
#[derive(Debug, Clone, Default)]
pub struct RouteTable(Vec<(Vec<String>, Vec<String>)>);

impl RouteTable {
    /// Reads the paths and methods of the spec.
    pub fn from_spec(spec: &OpenApi) -> Self {
        Self(
            spec.paths
                .paths
                .iter()
                .map(|(path, item)| {
                    let segments = path.split('/').map(str::to_owned).collect();
                    let methods = [
                        ("GET", item.get.is_some()),
                        ("POST", item.post.is_some()),
                        ("PUT", item.put.is_some()),
                        ("PATCH", item.patch.is_some()),
                        ("DELETE", item.delete.is_some()),
                    ]
                    .into_iter()
                    .filter(|(_, has)| *has)
                    .map(|(m, _)| m.to_owned())
                    .collect();
                    (segments, methods)
                })
                .collect(),
        )
    }

    /// The methods a concrete path answers, if it is a documented path.
    fn methods_for(&self, path: &str) -> Option<&[String]> {
        let parts: Vec<&str> = path.split('/').collect();
        self.0.iter().find_map(|(pattern, methods)| {
            let same = pattern.len() == parts.len()
                && pattern
                    .iter()
                    .zip(&parts)
                    .all(|(p, s)| (p.starts_with('{') && !s.is_empty()) || p == s);
            same.then_some(methods.as_slice())
        })
    }
}

async fn not_found(req: actix_web::HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    let allowed = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|t| t.methods_for(req.path()).map(<[String]>::to_vec));
    Err(match allowed {
        Some(methods) => ApiError::MethodNotAllowed(methods),
        None => ApiError::NotFound(msg::NO_SUCH_ENDPOINT),
    })
}

/// What every worker of one process shares: the state, and the parts of domains that must
/// be one per process (the queue single creates wait in for their group), which the
/// composition root makes so that the state needs to know no domain.
#[derive(Clone)]
pub struct Node {
    /// The shared state.
    pub state: web::Data<AppState>,
    creates: web::Data<CreateQueue>,
}

impl Node {
    /// A node's parts around `state`.
    pub fn new(state: AppState) -> Self {
        Self {
            state: web::Data::new(state),
            creates: web::Data::new(CreateQueue::default()),
        }
    }
}

/// The whole application for one worker; `spec` is [`openapi()`], built once per process.
pub fn build(
    node: Node,
    spec: OpenApi,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, _) = routes(App::new().into_utoipa_app()).split_for_parts();
    let table = web::Data::new(RouteTable::from_spec(&spec));
    app.app_data(node.state)
        .app_data(node.creates)
        .app_data(table)
        .service(SwaggerUi::new("/docs/{_:.*}").url(OPENAPI_PATH, spec))
        .service(web::redirect("/docs", "/docs/"))
        .configure(crate::web::configure)
        .default_service(web::to(not_found))
        .wrap(middleware::from_fn(crate::path_text::middleware))
        .wrap(middleware::from_fn(crate::access_log::middleware))
        .wrap(middleware::from_fn(crate::request_id::middleware))
        .wrap(middleware::Compress::default())
        .wrap(middleware::DefaultHeaders::new().add(("X-Content-Type-Options", "nosniff")))
        .wrap(tracing_actix_web::TracingLogger::<
            crate::access_log::QuietRootSpan,
        >::new())
}
