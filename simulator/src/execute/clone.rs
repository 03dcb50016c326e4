//! `cloneCodebase: true`: the codebase is the git checkout that holds the pipeline file (or
//! the current directory): its tracked files (`git ls-files`), as they are in the work tree,
//! copied into the workspace before the first step.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The root of the checkout holding `dir`, and its tracked files (relative to the root).
pub(super) fn tracked_files(dir: &Path) -> Result<(PathBuf, Vec<PathBuf>), String> {
    let git = |args: &[&str]| -> Result<Vec<u8>, String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| format!("cloneCodebase: cannot run git ({e})"))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(format!(
                "cloneCodebase is true, but {} is not in a git checkout ({}): run hlint from the repository to clone, or set cloneCodebase: false",
                dir.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    };
    let root = git(&["rev-parse", "--show-toplevel"])?;
    let root = PathBuf::from(String::from_utf8_lossy(&root).trim());
    let listed = git(&["-C", &root.to_string_lossy(), "ls-files", "-z"])?;
    let files = listed
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| PathBuf::from(String::from_utf8_lossy(name).into_owned()))
        // Deleted in the work tree, or a submodule (a directory): nothing to copy.
        .filter(|name| {
            root.join(name)
                .symlink_metadata()
                .is_ok_and(|m| !m.is_dir())
        })
        .collect();
    Ok((root, files))
}

/// Copies `files` (relative to `root`) under `dest`, symbolic links as links; how many.
pub(super) fn copy_files(root: &Path, files: &[PathBuf], dest: &Path) -> Result<usize, String> {
    for file in files {
        let (from, to) = (root.join(file), dest.join(file));
        let fail =
            |e: std::io::Error| format!("cloneCodebase: cannot copy {}: {e}", file.display());
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        #[cfg(unix)]
        if from
            .symlink_metadata()
            .map_err(fail)?
            .file_type()
            .is_symlink()
        {
            let target = std::fs::read_link(&from).map_err(fail)?;
            std::os::unix::fs::symlink(target, &to).map_err(fail)?;
            continue;
        }
        std::fs::copy(&from, &to).map_err(fail)?;
    }
    Ok(files.len())
}

/// A tar archive of `files` (relative to `root`), paths relative, modes kept.
pub(super) fn tar_files(root: &Path, files: &[PathBuf]) -> Result<Vec<u8>, String> {
    let mut archive = tar::Builder::new(Vec::new());
    archive.follow_symlinks(false);
    for file in files {
        archive
            .append_path_with_name(root.join(file), file)
            .map_err(|e| format!("cloneCodebase: cannot archive {}: {e}", file.display()))?;
    }
    archive
        .into_inner()
        .map_err(|e| format!("cloneCodebase: cannot archive the checkout: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    #[test]
    fn only_tracked_files_are_copied() {
        let repo = tempfile::tempdir().unwrap();
        git(repo.path(), &["init", "-q"]);
        std::fs::create_dir_all(repo.path().join("src/deep")).unwrap();
        std::fs::write(repo.path().join("README.md"), "hello").unwrap();
        std::fs::write(repo.path().join("src/deep/a.txt"), "a").unwrap();
        std::fs::write(repo.path().join("untracked.txt"), "no").unwrap();
        git(repo.path(), &["add", "README.md", "src/deep/a.txt"]);
        let (root, mut files) = tracked_files(&repo.path().join("src")).unwrap();
        files.sort();
        assert_eq!(
            root.canonicalize().unwrap(),
            repo.path().canonicalize().unwrap()
        );
        assert_eq!(
            files,
            [PathBuf::from("README.md"), PathBuf::from("src/deep/a.txt")]
        );

        let dest = tempfile::tempdir().unwrap();
        assert_eq!(copy_files(&root, &files, dest.path()).unwrap(), 2);
        assert_eq!(
            std::fs::read_to_string(dest.path().join("src/deep/a.txt")).unwrap(),
            "a"
        );
        assert!(!dest.path().join("untracked.txt").exists());

        let archive = tar_files(&root, &files).unwrap();
        let mut names: Vec<String> = tar::Archive::new(archive.as_slice())
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["README.md", "src/deep/a.txt"]);
    }

    #[test]
    fn outside_a_checkout_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let error = tracked_files(dir.path()).unwrap_err();
        assert!(error.contains("not in a git checkout"), "{error}");
        assert!(error.contains("cloneCodebase: false"), "{error}");
    }
}
