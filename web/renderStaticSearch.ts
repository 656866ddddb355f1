/**
 * The search page of a static tree: the same look as the server's, plus one small inline
 * script that loads `search-index.json` and ranks it in the browser (exact name > name prefix >
 * name word > keyword > description, then downloads; yanked-only last). Results are built with
 * DOM calls and textContent, never innerHTML.
 */
import { renderLayout } from './renderLayout.ts';
import type { SiteContext } from './siteContext.ts';

const SCRIPT = `(function(){
var p=new URLSearchParams(location.search),q=(p.get('q')||'').trim().toLowerCase(),cat=p.get('category')||'',kw=(p.get('keyword')||'').toLowerCase();
var root=document.body.getAttribute('data-root');var out=document.getElementById('results'),count=document.getElementById('result-count');
document.getElementById('heading').textContent=q?'Results for \\u201c'+q+'\\u201d':'All packages';
function words(s){return (s||'').toLowerCase().split(/[^\\p{L}\\p{N}]+/u).filter(Boolean);}
function tier(t,ws,full,pre){var best=0;for(var i=0;i<ws.length;i++){if(ws[i]===t)return full;if(ws[i].indexOf(t)===0&&t.length>1)best=pre;}return best;}
fetch(root+'search-index.json').then(function(r){return r.json();}).then(function(ix){
var f=ix.fields,I={};f.forEach(function(n,i){I[n]=i;});var terms=words(q),asName=terms.join('-'),hits=[];
ix.packages.forEach(function(r){
if(cat&&r[I.categories].indexOf(cat)<0)return;if(kw&&r[I.keywords].indexOf(kw)<0)return;
var name=r[I.name],s=0;
if(terms.length){var nw=words(name),kws=words(r[I.keywords].join(' ')),dw=words(r[I.description]);s=9;
for(var i=0;i<terms.length;i++){var t=terms[i];var b=Math.max(tier(t,nw,6,5),tier(t,kws,4,3),tier(t,dw,2,1));if(b<s)s=b;}
if(name===asName)s=8;else if(name.indexOf(asName)===0)s=Math.max(s,7);if(!s)return;}
hits.push({r:r,s:s});});
hits.sort(function(a,b){return (a.r[I.yanked]-b.r[I.yanked])||(b.s-a.s)||(b.r[I.downloads]-a.r[I.downloads])||(a.r[I.name]<b.r[I.name]?-1:1);});
count.textContent=hits.length+(hits.length===1?' package':' packages');
var ul=document.createElement('ul');ul.className='pkgs';
hits.slice(0,100).forEach(function(h){var r=h.r,li=document.createElement('li'),a=document.createElement('a');
a.className='name';a.href=root+'packages/'+encodeURIComponent(r[I.name])+'/';a.textContent=r[I.name];li.appendChild(a);
var v=document.createElement('span');v.className='ver';v.textContent=r[I.version];li.appendChild(v);
if(r[I.yanked]){var y=document.createElement('span');y.className='yanked';y.textContent=' yanked';li.appendChild(y);}
if(r[I.description]){var d=document.createElement('p');d.textContent=r[I.description];li.appendChild(d);}
var m=document.createElement('div');m.className='meta';m.textContent=r[I.downloads]+' downloads \\u00b7 updated '+String(r[I.updated_at]).slice(0,10);li.appendChild(m);
ul.appendChild(li);});
out.textContent='';if(hits.length)out.appendChild(ul);else{var e=document.createElement('p');e.className='muted';e.textContent='No packages match.';out.appendChild(e);}
var box=document.querySelector('form.search input[name=q]');if(box)box.value=p.get('q')||'';
}).catch(function(){count.textContent='The search index could not be loaded.';});
})();`;

export function renderStaticSearch(ctx: SiteContext): string {
  const body = `<h1 id="heading">Search</h1>
<p class="muted" id="result-count">Searching…</p>
<div id="results"><noscript><p>Searching a static copy of the registry needs JavaScript; browse <a href="${ctx.root}categories/">categories</a> instead.</p></noscript></div>`;
  return renderLayout({ ctx, title: 'Search', body, script: SCRIPT });
}
