//! Running commands from the repository root with the project's tools on PATH.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The project's root. Read at run time (`cargo run` sets CARGO_MANIFEST_DIR for the
/// process): with a target folder shared between checkouts, as CI's is, the binary cargo
/// runs may have been built in another checkout, and the compile-time path would point
/// there.
pub fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    Path::new(&manifest)
        .parent()
        .expect("xtask lives one folder below the root")
        .to_path_buf()
}

pub struct Shell {
    path: String,
}

impl Shell {
    /// PATH with the npm-installed tools (wasm-opt) first, so no other wasm-opt shadows the
    /// pinned one, and cargo's bin folder for Trunk and wasm-bindgen.
    pub fn new() -> Self {
        let mut dirs = vec![root().join("node_modules/.bin")];
        if let Some(home) = std::env::var_os("CARGO_HOME") {
            dirs.push(PathBuf::from(home).join("bin"));
        } else if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join(".cargo/bin"));
        }
        let old = std::env::var_os("PATH").unwrap_or_default();
        dirs.extend(std::env::split_paths(&old));
        let path = std::env::join_paths(dirs)
            .expect("PATH entries are joinable")
            .into_string()
            .unwrap_or_default();
        Shell { path }
    }

    pub fn target_dir(&self) -> PathBuf {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join("target"))
    }

    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(root())
            .env("PATH", &self.path)
            .env("TRUNK_SKIP_VERSION_CHECK", "true");
        cmd
    }

    pub fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        self.run_env(program, args, &[])
    }

    pub fn run_env(
        &self,
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<(), String> {
        eprintln!("xtask: $ {program} {}", args.join(" "));
        let mut cmd = self.command(program, args);
        cmd.envs(env.iter().copied());
        let status = cmd
            .status()
            .map_err(|e| format!("cannot start {program}: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{program} {}` failed ({status})", args.join(" ")))
        }
    }

    /// The first line of a command's standard output, if it runs and succeeds.
    pub fn output(&self, program: &str, args: &[&str]) -> Option<String> {
        let out = self
            .command(program, args)
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status.success().then(|| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
    }

    /// Builds the release `mtasts` and `testworld` binaries; returns their folder.
    pub fn build_release_world(&self) -> Result<PathBuf, String> {
        self.run(
            "cargo",
            &[
                "build",
                "--release",
                "--package",
                "mtasts",
                "--package",
                "testworld",
            ],
        )?;
        Ok(self.target_dir().join("release"))
    }

    /// Starts a server that prints `listening on URL` as its first line of output.
    pub fn spawn_server(&self, program: &Path, args: &[&str]) -> Result<Server, String> {
        let mut child = Command::new(program)
            .args(args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("server output: {e}"))?;
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            return Err(format!("the server did not start: {line:?}"));
        };
        Ok(Server {
            url: url.to_string(),
            child,
        })
    }
}

pub struct Server {
    pub url: String,
    child: Child,
}

impl Server {
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The test world, running as a child process until stopped.
pub struct World {
    pub doh: String,
    pub ca: String,
    /// The third-party lane's DoH URL (nginx in front of unbound), when it was started.
    pub third_party_doh: Option<String>,
    /// Every scenario domain of the world.
    pub domains: Vec<String>,
    child: Child,
}

impl World {
    /// Closes its standard input and gives it a few seconds to stop its own children
    /// (unbound, nginx) before it is killed.
    pub fn stop(&mut self) {
        drop(self.child.stdin.take());
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for World {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Shell {
    /// Starts `testworld`, which prints its DoH URL and CA file as a JSON line and stops
    /// when its standard input closes.
    pub fn spawn_world(&self, program: &Path, args: &[&str]) -> Result<World, String> {
        let mut child = Command::new(program)
            .args(args)
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().ok_or("no stdout")?)
            .read_line(&mut line)
            .map_err(|e| format!("test world output: {e}"))?;
        let config: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("the test world did not start: {line:?} ({e})"))?;
        let field = |k: &str| {
            config[k]
                .as_str()
                .map(String::from)
                .ok_or(format!("the test world gave no {k}"))
        };
        Ok(World {
            doh: field("doh")?,
            ca: field("ca")?,
            third_party_doh: config["third_party"]["doh"].as_str().map(String::from),
            domains: config["domains"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d.as_str().map(String::from))
                .collect(),
            child,
        })
    }
}
