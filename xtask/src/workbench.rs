//! The lazy builds of the page: the same app with a feature, built beside Trunk's and loaded
//! only for the links that need it, so a first visit never downloads them. Trunk's build is
//! the form alone; the check and its report (`check`) are loaded for `?domain=` links, the
//! workbench (`workbench`: the draft editor, generator and linter) for `?draft=` links, the
//! Reports view (`reports`: the TLS-RPT report reader) for `?reports` links, the snapshot
//! viewer (`snapshot`) for `?snapshot` links. Trunk builds one
//! variant of a package, so these are made here with the same tools and steps: cargo,
//! wasm-bindgen, `wasm-opt -Oz`, terser.

use crate::shell::Shell;
use sha2::{Digest, Sha256};
use std::path::Path;

/// One lazy build: its cargo feature, the prefix of its files in `dist` and the URL
/// parameters that load it.
pub struct Variant {
    pub feature: &'static str,
    pub prefix: &'static str,
    pub params: &'static [&'static str],
}

pub const VARIANTS: &[Variant] = &[
    Variant {
        feature: "workbench",
        prefix: "workbench-",
        params: &["draft"],
    },
    Variant {
        feature: "reports",
        prefix: "reports-",
        params: &["reports"],
    },
    Variant {
        feature: "snapshot",
        prefix: "snapshot-",
        params: &["snapshot"],
    },
    // Last: the builds above carry the check too, and win for their own links.
    Variant {
        feature: CHECK,
        prefix: "check-",
        params: &["domain"],
    },
];

/// Where the page keeps the visitor's own resolver, and the one it uses otherwise: the
/// loader reads them before the wasm runs (a test holds them equal to `src/settings.rs`).
const RESOLVER_KEY: &str = "mtasts.resolver";
const DEFAULT_RESOLVER: &str = "https://cloudflare-dns.com/dns-query";

/// The check's build: what a `?domain=` link loads and submitting the first page's form
/// opens; the first page (Trunk's build) is the form without it.
pub const CHECK: &str = "check";

/// The passes after `-Oz`, for the lazy builds here and, through `index.html`'s
/// `data-wasm-opt-params`, for the first page (a test holds the two equal); -1.2 KB of
/// brotli on the first page. `--converge` repeats the passes while they still shrink the
/// module; `--low-memory-unused` lets binaryen fold constant offsets into loads, which is
/// sound because rustc lays the stack out first (it grows down from 1 MiB and the data
/// follows it), so the lowest KiB is never addressed.
pub const WASM_OPT_PARAMS: [&str; 2] = ["--converge", "--low-memory-unused"];

/// True for a file of a lazy build, which a first visit does not download.
pub fn is_lazy(name: &str) -> bool {
    VARIANTS.iter().any(|v| name.starts_with(v.prefix))
}

pub fn build(sh: &Shell, dist: &Path) -> Result<(), String> {
    let mut built = Vec::new();
    for v in VARIANTS {
        let (js, wasm) = build_variant(sh, dist, v)?;
        built.push((v.params, js, wasm));
    }
    let check = VARIANTS
        .iter()
        .zip(&built)
        .find(|(v, _)| v.feature == CHECK)
        .map(|(_, (_, js, wasm))| (js.clone(), wasm.clone()));
    choose_in_loader(&dist.join("index.html"), &built, check.as_ref())
}

/// Builds one variant into `dist`; returns its glue and wasm file names.
fn build_variant(sh: &Shell, dist: &Path, v: &Variant) -> Result<(String, String), String> {
    let name = v.feature;
    build_wasm(sh, name)?;
    let built = sh
        .target_dir()
        .join("wasm32-unknown-unknown/wasm-release/mtasts-web.wasm");
    let staging = sh.target_dir().join(format!("{name}-page"));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| e.to_string())?;
    let path = |p: &Path| p.to_str().map(str::to_string).ok_or("path is not UTF-8");
    let out_dir = format!("--out-dir={}", path(&staging)?);
    sh.run(
        "wasm-bindgen",
        &[
            "--target=web",
            &out_dir,
            &format!("--out-name={name}"),
            "--no-typescript",
            &path(&built)?,
        ],
    )?;
    let wasm = staging.join(format!("{name}_bg.wasm"));
    let optimized = staging.join(format!("{name}_opt.wasm"));
    let wasm_opt = crate::shell::root().join("node_modules/.bin/wasm-opt");
    let (output, input) = (format!("--output={}", path(&optimized)?), path(&wasm)?);
    let mut args = vec![output.as_str(), "-Oz"];
    args.extend(WASM_OPT_PARAMS);
    args.push(&input);
    sh.run(&path(&wasm_opt)?, &args)?;
    let js = staging.join(format!("{name}.js"));
    let terser = crate::shell::root().join("node_modules/.bin/terser");
    sh.run(
        &path(&terser)?,
        &[
            &path(&js)?,
            "--module",
            "--compress",
            "--mangle",
            "--output",
            &path(&js)?,
        ],
    )?;

    let wasm_bytes = std::fs::read(&optimized).map_err(|e| e.to_string())?;
    let js_bytes = std::fs::read(&js).map_err(|e| e.to_string())?;
    // Named by content, like Trunk's files, so they can be cached as immutable.
    let hash = Sha256::digest([wasm_bytes.as_slice(), js_bytes.as_slice()].concat());
    let hash: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    let js_name = format!("{}{hash}.js", v.prefix);
    let wasm_name = format!("{}{hash}_bg.wasm", v.prefix);
    for entry in std::fs::read_dir(dist).map_err(|e| e.to_string())? {
        let old = entry.map_err(|e| e.to_string())?.path();
        if old
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(v.prefix))
        {
            std::fs::remove_file(&old).map_err(|e| e.to_string())?;
        }
    }
    std::fs::write(dist.join(&js_name), &js_bytes).map_err(|e| e.to_string())?;
    std::fs::write(dist.join(&wasm_name), &wasm_bytes).map_err(|e| e.to_string())?;
    Ok((js_name, wasm_name))
}

/// The page's wasm with `features`, on its size profile, before wasm-bindgen.
pub fn build_wasm(sh: &Shell, features: &str) -> Result<(), String> {
    sh.run(
        "cargo",
        &[
            "build",
            "--profile",
            "wasm-release",
            "--target",
            "wasm32-unknown-unknown",
            "--package",
            "mtasts-web",
            "--features",
            features,
        ],
    )
}

/// Replaces Trunk's loader (a module script after the stylesheet, with static preloads of
/// the first page's glue and wasm) by one that starts the build the link needs: `builds`
/// holds (parameters, glue, wasm), the first match wins, and Trunk's build is the rest.
/// It is a classic script ahead of the stylesheet, so both downloads start while the head
/// is parsed (a module script would wait for the CSS) and only the chosen build's are made
/// (static preloads would fetch the first page's for every link). The wasm compiles as it
/// arrives. On the first page, the visitor's first focus (on the domain field, mostly)
/// prefetches `warm`, the build that submitting the form opens. A `?domain=` link
/// preconnects to the visitor's own DoH resolver, so its TLS handshake overlaps the
/// download; never to one the link suggests, which the page uses only after consent.
fn choose_in_loader(
    index: &Path,
    builds: &[(&[&str], String, String)],
    warm: Option<&(String, String)>,
) -> Result<(), String> {
    let html = std::fs::read_to_string(index).map_err(|e| format!("{}: {e}", index.display()))?;
    let (start, end) = crate::csp::loader_span(&html)?;
    let loader = &html[start..end];
    // The quoted paths in Trunk's loader: its glue module and its wasm.
    let first = |suffix: &str| -> Result<String, String> {
        loader
            .split(['\'', '"'])
            .find(|t| t.starts_with('/') && t.ends_with(suffix) && !t.contains(char::is_whitespace))
            .map(str::to_string)
            .ok_or_else(|| format!("the loader names no {suffix} file"))
    };
    let page_js = first(".js")?;
    let page_wasm = first("_bg.wasm")?;
    let choices: String = builds
        .iter()
        .map(|(params, js, wasm)| {
            let test: Vec<String> = params.iter().map(|p| format!("q.has('{p}')")).collect();
            format!("{} ? ['/{js}', '/{wasm}'] : ", test.join(" || "))
        })
        .collect();
    let warm = warm.map_or(String::new(), |(js, wasm)| {
        format!(
            "\nif (js === '{page_js}') addEventListener('focusin', () => {{ for (const href of ['/{js}', '/{wasm}']) {{ const l = document.createElement('link'); l.rel = 'prefetch'; l.href = href; document.head.append(l); }} }}, {{ once: true }});"
        )
    });
    let preconnect = format!(
        "\nif (q.has('domain')) {{ let r = '{DEFAULT_RESOLVER}'; try {{ const s = localStorage.getItem('{RESOLVER_KEY}'); if (s && s.startsWith('https://')) r = s; }} catch {{}} const l = document.createElement('link'); l.rel = 'preconnect'; l.crossOrigin = 'anonymous'; l.href = new URL(r).origin; document.head.append(l); }}"
    );
    let script = format!(
        "{{\nconst q = new URLSearchParams(location.search);{preconnect}\nconst [js, wasm] = {choices}['{page_js}', '{page_wasm}'];\nconst module = WebAssembly.compileStreaming(fetch(wasm)).catch(() => fetch(wasm));\nconst parsed = new Promise((done) => document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', done) : done());\nPromise.all([import(js), parsed]).then(([{{ default: init }}]) => init({{ module_or_path: module }}));{warm}\n}}"
    );
    let open = html[..start]
        .rfind("<script")
        .ok_or("the loader has no opening tag")?;
    let close = end + "</script>".len();
    let mut rest = format!("{}{}", &html[..open], &html[close..]);
    // Trunk's static preloads of its own build.
    while let Some(link) = preload_of(&rest, &page_js, &page_wasm) {
        rest.replace_range(link, "");
    }
    let at = rest
        .find("<link")
        .ok_or("index.html has no stylesheet link to put the loader before")?;
    rest.insert_str(at, &format!("{}{script}</script>", crate::csp::OPEN));
    std::fs::write(index, rest).map_err(|e| e.to_string())
}

/// The span of a `<link>` tag that names `js` or `wasm`.
fn preload_of(html: &str, js: &str, wasm: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(i) = html[from..].find("<link") {
        let start = from + i;
        let end = start + html[start..].find('>')? + 1;
        let tag = &html[start..end];
        if tag.contains(js) || tag.contains(wasm) {
            return Some(start..end);
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_first_page_gets_the_same_wasm_opt_passes_as_the_lazy_builds() {
        let html = std::fs::read_to_string(crate::shell::root().join("index.html")).unwrap();
        let params = super::WASM_OPT_PARAMS.join(" ");
        assert!(
            html.contains(&format!("data-wasm-opt-params=\"{params}\"")),
            "index.html must pass {params} to wasm-opt"
        );
    }

    #[test]
    fn the_loader_knows_the_resolver_as_the_page_does() {
        let settings =
            std::fs::read_to_string(crate::shell::root().join("src/settings.rs")).unwrap();
        assert!(settings.contains(&format!("const KEY: &str = \"{}\";", super::RESOLVER_KEY)));
        let first = settings.find("(\"Cloudflare\", \"").unwrap();
        assert!(settings[first..].starts_with(&format!(
            "(\"Cloudflare\", \"{}\")",
            super::DEFAULT_RESOLVER
        )));
        assert!(
            settings.contains("RESOLVERS[0]"),
            "the default is the first preset"
        );
    }

    #[test]
    fn the_loader_picks_each_lazy_build_by_its_parameter() {
        let dir = std::env::temp_dir().join(format!("xtask-loader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let index = dir.join("index.html");
        std::fs::write(&index, "<head><title>t</title><link href=/style-1.css rel=stylesheet><script type=module>import init, * as bindings from '/mtasts-web-abc.js';\nconst wasm = await init({ module_or_path: '/mtasts-web-abc_bg.wasm' });</script><link crossorigin href=/mtasts-web-abc.js rel=modulepreload><link as=fetch href=/mtasts-web-abc_bg.wasm rel=preload type=application/wasm></head>").unwrap();
        let builds: [(&[&str], String, String); 2] = [
            (
                &["draft"],
                "workbench-1.js".to_string(),
                "workbench-1_bg.wasm".to_string(),
            ),
            (
                &["reports", "snapshot"],
                "reports-2.js".to_string(),
                "reports-2_bg.wasm".to_string(),
            ),
        ];
        let warm = ("check-3.js".to_string(), "check-3_bg.wasm".to_string());
        super::choose_in_loader(&index, &builds, Some(&warm)).unwrap();
        let html = std::fs::read_to_string(&index).unwrap();
        assert!(html.contains("q.has('draft') ? ['/workbench-1.js', '/workbench-1_bg.wasm'] : q.has('reports') || q.has('snapshot') ? ['/reports-2.js', '/reports-2_bg.wasm'] : ['/mtasts-web-abc.js', '/mtasts-web-abc_bg.wasm']"), "{html}");
        assert_eq!(html.matches("<script").count(), 1, "{html}");
        // Ahead of the stylesheet, and Trunk's preloads of the first page gone.
        assert!(
            html.starts_with("<head><title>t</title><script>{"),
            "{html}"
        );
        assert!(
            html.ends_with("</script><link href=/style-1.css rel=stylesheet></head>"),
            "{html}"
        );
        assert!(
            html.contains("if (js === '/mtasts-web-abc.js') addEventListener('focusin'"),
            "{html}"
        );
        assert!(
            html.contains("['/check-3.js', '/check-3_bg.wasm']"),
            "{html}"
        );
        assert!(
            html.contains("if (q.has('domain')) { let r = 'https://cloudflare-dns.com/dns-query';"),
            "{html}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
