//! Getting a step's image onto the engine as its `imagePullPolicy` says (after
//! `--image-map`): `IfNotPresent` (the default) uses the engine's copy and pulls only a
//! missing image, `Always` pulls, `Never` never pulls. Each image is looked at (and pulled)
//! once a run, however many steps use it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::stage::Run;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

impl PullPolicy {
    /// The policy as written (`None`: the default, IfNotPresent).
    pub(super) fn parse(written: Option<&str>) -> Result<PullPolicy, String> {
        match written.map(str::trim) {
            None | Some("IfNotPresent") => Ok(PullPolicy::IfNotPresent),
            Some("Always") => Ok(PullPolicy::Always),
            Some("Never") => Ok(PullPolicy::Never),
            Some(other) => Err(format!(
                "imagePullPolicy `{other}` is not one of Always, IfNotPresent, Never"
            )),
        }
    }
}

/// Whether an image is ready, once decided (or the reason it is not).
type Readiness = Arc<OnceCell<Result<(), String>>>;

/// What each (image, policy) came to in this run.
#[derive(Default)]
pub(super) struct Images(Mutex<HashMap<(String, PullPolicy), Readiness>>);

fn pull_failed(image: &str, error: &str) -> String {
    format!(
        "could not pull image `{image}` ({error}): load it on this engine (`docker load -i FILE`), \
         or run a local image instead with --image-map {image}=LOCAL"
    )
}

/// Makes `image` ready for step `key` by `policy`; the reason when it cannot be.
pub(super) async fn ensure(
    run: &Run,
    key: &str,
    image: &str,
    policy: PullPolicy,
) -> Result<(), String> {
    let cell = run
        .images
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry((image.to_owned(), policy))
        .or_default()
        .clone();
    cell.get_or_init(|| async {
        let present = policy != PullPolicy::Always && run.engine.image_exists(image).await;
        match (present, policy) {
            (true, _) => Ok(()),
            (false, PullPolicy::Never) => Err(format!(
                "image `{image}` is not on this engine and its imagePullPolicy is Never: \
                 load it (`docker load -i FILE`), or map it with --image-map {image}=LOCAL"
            )),
            (false, _) => {
                run.progress.line(&format!("[{key}] pulling {image}"));
                run.engine
                    .pull(image, |status| {
                        run.progress
                            .line(&format!("[{key}] pull {image}: {status}"))
                    })
                    .await
                    .map_err(|e| pull_failed(image, &e.0))
            }
        }
    })
    .await
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_as_harness_writes_them() {
        assert_eq!(PullPolicy::parse(None), Ok(PullPolicy::IfNotPresent));
        assert_eq!(PullPolicy::parse(Some("Always")), Ok(PullPolicy::Always));
        assert_eq!(PullPolicy::parse(Some("Never")), Ok(PullPolicy::Never));
        assert_eq!(
            PullPolicy::parse(Some("IfNotPresent")),
            Ok(PullPolicy::IfNotPresent)
        );
        let error = PullPolicy::parse(Some("always")).unwrap_err();
        assert!(error.contains("`always`"), "{error}");
    }

    #[test]
    fn a_failed_pull_says_what_to_do() {
        let message = pull_failed("postgres:16.4", "connection refused");
        assert!(message.contains("`postgres:16.4`"));
        assert!(message.contains("--image-map postgres:16.4="));
        assert!(message.contains("docker load"));
    }
}
