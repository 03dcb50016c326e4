//! The stage's workspace, `/harness` in every container and the working directory of every
//! step:
//! - Harness Cloud, VM pool, local runner: a directory on this machine that the run creates,
//!   bind-mounted at `/harness` in every container (the only directory of this machine a
//!   container ever sees) and the working directory of the steps that run on the machine,
//!   so both see the same files; removed at the end of the stage.
//! - Kubernetes: a Docker volume, as the pod's shared workspace volume.

use std::path::{Path, PathBuf};

use super::clone::{copy_files, tar_files, tracked_files};
use super::logs::{say, Out};
use crate::docker::{Engine, EngineError};
use crate::plan::WORKING_DIR;

pub(super) enum Workspace {
    Dir(tempfile::TempDir),
    Volume(String),
}

impl Workspace {
    pub(super) async fn create(
        engine: &Engine,
        run: &str,
        kubernetes: bool,
    ) -> Result<Workspace, EngineError> {
        if kubernetes {
            let volume = engine
                .create_volume(run, &format!("{run}-workspace"))
                .await?;
            return Ok(Workspace::Volume(volume));
        }
        let dir = tempfile::Builder::new()
            .prefix(&format!("{run}-workspace-"))
            .tempdir()
            .map_err(|e| EngineError(format!("cannot create the workspace directory: {e}")))?;
        // Steps may run as any user (`runAsUser`, an image's own USER): all may write.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))
                .map_err(|e| EngineError(format!("cannot open up the workspace directory: {e}")))?;
        }
        Ok(Workspace::Dir(dir))
    }

    /// The directory on this machine (Cloud, VM, local runner).
    pub(super) fn dir(&self) -> Option<PathBuf> {
        match self {
            Workspace::Dir(dir) => Some(dir.path().to_owned()),
            Workspace::Volume(_) => None,
        }
    }

    /// The named volume at `/harness` (Kubernetes).
    pub(super) fn volume(&self) -> Option<(String, String)> {
        match self {
            Workspace::Volume(volume) => Some((volume.clone(), WORKING_DIR.to_owned())),
            Workspace::Dir(_) => None,
        }
    }

    /// The bind mount of the directory at `/harness`.
    pub(super) fn bind(&self) -> Option<(String, String)> {
        self.dir()
            .map(|dir| (dir.to_string_lossy().into_owned(), WORKING_DIR.to_owned()))
    }

    /// `cloneCodebase: true`: the tracked files of the git checkout holding `source`, into
    /// the workspace (the volume through `holder`, a running container that mounts it);
    /// how many files.
    pub(super) async fn clone_codebase(
        &self,
        engine: &Engine,
        holder: Option<&str>,
        source: &Path,
    ) -> Result<usize, String> {
        let (root, files) = tracked_files(source)?;
        match (self, holder) {
            (Workspace::Dir(dir), _) => copy_files(&root, &files, dir.path()),
            (Workspace::Volume(_), Some(holder)) => {
                let archive = tar_files(&root, &files)?;
                engine
                    .upload(holder, WORKING_DIR, archive)
                    .await
                    .map_err(|e| {
                        format!("cannot copy the checkout into the workspace volume: {e}")
                    })?;
                Ok(files.len())
            }
            (Workspace::Volume(_), None) => {
                Err("no container holds the workspace volume to copy the checkout into".into())
            }
        }
    }

    /// Removes the directory (the volume goes with the run's other objects), or with
    /// `keep` leaves it and says where.
    pub(super) fn finish(self, keep: bool, out: &Out) {
        let Workspace::Dir(dir) = self else { return };
        if keep {
            let path = dir.keep();
            say(
                out,
                &format!("hlint: --keep: left the workspace {}", path.display()),
            );
            return;
        }
        let path = dir.path().to_owned();
        if let Err(error) = dir.close() {
            say(
                out,
                &format!(
                    "hlint: cleanup: could not remove the workspace {} ({error}): files that steps made as another user? remove it by hand",
                    path.display()
                ),
            );
        }
    }
}
