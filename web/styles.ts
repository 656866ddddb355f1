/** The site's one stylesheet, inlined in every page (no request for it, nothing from outside hosts). */
export const STYLES = `
:root{--fg:#1b1d23;--muted:#5b6170;--bg:#fff;--card:#f5f6f8;--line:#dfe2e8;--accent:#4b2bb3;--warn:#a4161a;--chip:#ece8fb}
@media (prefers-color-scheme:dark){:root{--fg:#e7e9ee;--muted:#a2a8b6;--bg:#14151a;--card:#1d1f26;--line:#30333d;--accent:#b3a1ff;--warn:#ff8a8a;--chip:#2c2645}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header.top{border-bottom:1px solid var(--line);background:var(--card)}
header.top .in{max-width:64rem;margin:0 auto;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:center}
.brand{font-weight:700;font-size:1.15rem;color:var(--fg)}
.brand span{color:var(--accent)}
form.search{flex:1 1 16rem;display:flex;gap:.4rem}
form.search input[type=search]{flex:1;min-width:0;padding:.5rem .7rem;border:1px solid var(--line);border-radius:.4rem;background:var(--bg);color:var(--fg);font:inherit}
button,select{font:inherit;padding:.45rem .8rem;border:1px solid var(--line);border-radius:.4rem;background:var(--bg);color:var(--fg)}
button{background:var(--accent);border-color:var(--accent);color:#fff;cursor:pointer}
main{max-width:64rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.4rem 0 .6rem;line-height:1.25;word-break:break-word}
h2{font-size:1.15rem;margin:1.4rem 0 .6rem}
.muted{color:var(--muted)}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.6rem;margin:1rem 0}
.stat{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.7rem .9rem}
.stat b{display:block;font-size:1.35rem}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:0 1.5rem}
ul.pkgs{list-style:none;margin:0;padding:0}
ul.pkgs li{padding:.65rem 0;border-bottom:1px solid var(--line)}
ul.pkgs .name{font-weight:600}
ul.pkgs .ver{color:var(--muted);font-size:.9rem;margin-left:.35rem}
ul.pkgs p{margin:.2rem 0 0;color:var(--muted);font-size:.95rem;overflow-wrap:anywhere}
.meta{font-size:.85rem;color:var(--muted)}
.chip{display:inline-block;background:var(--chip);border-radius:1rem;padding:0 .55rem;margin:.1rem .15rem .1rem 0;font-size:.8rem}
.yanked{color:var(--warn);font-weight:600;font-size:.85rem}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0 1rem}
.pager{display:flex;gap:1rem;margin:1rem 0}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 18rem;gap:1.5rem}
@media (max-width:48rem){.layout{grid-template-columns:minmax(0,1fr)}}
aside section{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.7rem .9rem;margin-bottom:.8rem}
aside h2{margin:.2rem 0 .5rem;font-size:1rem}
aside ul{margin:0;padding-left:1.1rem}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{background:var(--card);border:1px solid var(--line);border-radius:.4rem;padding:.7rem;overflow:auto}
.install{display:block;background:var(--card);border:1px solid var(--line);border-radius:.4rem;padding:.5rem .7rem;overflow-wrap:anywhere;user-select:all}
.readme{overflow-wrap:anywhere}
.readme img{max-width:100%}
.readme table{border-collapse:collapse}.readme td,.readme th{border:1px solid var(--line);padding:.25rem .5rem}
table.versions{width:100%;border-collapse:collapse;font-size:.9rem}
table.versions td{padding:.3rem .2rem;border-bottom:1px solid var(--line)}
.chart svg{width:100%;height:auto;display:block}
.chart .bar{fill:var(--accent)}
.chart text{fill:var(--muted);font-size:11px}
.chart line{stroke:var(--line)}
.chart .axis{display:flex;justify-content:space-between;gap:.5rem}
footer{max-width:64rem;margin:2rem auto;padding:1rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line)}
`.replace(/\n/g, '');
