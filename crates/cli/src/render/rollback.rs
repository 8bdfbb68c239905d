//! `rollback`'s plan (dry run) and outcome, as text and as JSON. Both JSON
//! reports come from [`json`], so they carry the same keys: what the dry
//! run cannot know yet (`id`, `manifest`, `current`, `warnings`) is `null`
//! or empty there.

use pfxgen_core::service::rollback::{RollbackOutcome, RollbackPlan};

use crate::{
    json::{Json, Obj},
    render::rotate::MANUAL_STEPS,
};

/// The JSON report of a rollback: the plan's facts, and what was done
/// (`None` for a dry run).
#[must_use]
pub fn json(plan: &RollbackPlan, done: Option<&RollbackOutcome>) -> Json {
    let shown = |p: &std::path::Path| p.display().to_string();
    Json::from(
        Obj::new()
            .field("dry_run", done.is_none())
            .field("service_dir", shown(&plan.service_dir))
            .field("rolled_back", plan.undoes_id.as_str())
            .field("undoes", shown(&plan.undoes))
            .field(
                "restore",
                plan.restore.iter().map(|p| shown(p)).collect::<Vec<_>>(),
            )
            .field("restored_kid", plan.restored_kid.clone())
            .field("password_changed", plan.password_changed)
            .field("notes", plan.notes.clone())
            .field("id", done.map(|d| d.id.clone()))
            .field("manifest", done.map(|d| shown(&d.manifest)))
            .field(
                "current",
                done.and_then(|d| d.current.as_deref().map(shown)),
            )
            .field(
                "warnings",
                done.map(|d| d.warnings.clone()).unwrap_or_default(),
            ),
    )
}

/// Prints the plan of a dry run.
pub fn plan(plan: &RollbackPlan, as_json: bool) {
    if as_json {
        outln!("{}", json(plan, None).pretty());
        return;
    }
    outln!(
        "Rollback plan for {} (dry run: nothing was changed)",
        plan.service_dir.display()
    );
    outln!("  undoes: {} ({})", plan.undoes.display(), plan.undoes_id);
    for p in &plan.restore {
        outln!("  restore: {}", p.display());
    }
    if let Some(kid) = &plan.restored_kid {
        outln!("  restored kid: {kid}");
    }
    if plan.password_changed == Some(true) {
        outln!("  password: the restored certificate uses the previous password");
    }
    for s in &plan.notes {
        outln!("  note: {s}");
    }
}

/// Prints what a rollback did.
pub fn outcome(done: &RollbackOutcome, as_json: bool) {
    let plan = &done.plan;
    if as_json {
        outln!("{}", json(plan, Some(done)).pretty());
        return;
    }
    let dir = plan.service_dir.display();
    outln!("Rolled back {dir} (undid {})", plan.undoes_id);
    if let Some(p) = &done.current {
        outln!("  certificate in use: {}", p.display());
    }
    if let Some(kid) = &plan.restored_kid {
        outln!("  restored kid:       {kid}");
    }
    if plan.password_changed == Some(true) {
        outln!(
            "  password:           the restored certificate uses the previous password: \
             change the service's setting back before restarting it"
        );
    }
    for s in &plan.notes {
        outln!("  note: {s}");
    }
    outln!("  manifest:   {}", done.manifest.display());
    outln!("  undo this rollback with: pfxgen rollback --service-dir {dir}");
    outln!("{MANUAL_STEPS}");
}
