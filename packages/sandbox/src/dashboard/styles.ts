// The dashboard's stylesheet and its one script, inlined into every page (no external assets, so it
// works offline). Colours keep at least 4.5:1 contrast on their backgrounds.
import { FONT_STACK } from '../html.js';

export const DASHBOARD_CSS = `
*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:${FONT_STACK};background:#f4f5f9;color:#1c1f2a;line-height:1.45;font-size:15px}
a{color:#1f45b8}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid #1f45b8;outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{left:12px;top:8px;background:#fff;padding:6px 10px;z-index:2}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 20px;padding:12px 20px;background:#151b33;color:#fff}
header.top .brand{font-weight:700;font-size:17px;margin:0}header.top nav a{color:#fff;margin-right:14px}
header.top nav a[aria-current=page]{text-decoration:underline;text-underline-offset:4px;font-weight:700}
.live{margin-left:auto;font-size:13px;color:#d5dbf5}.live::before{content:"●";margin-right:6px;color:#8a93b8}
.live[data-state=live]::before{color:#4ade80}.live[data-state=polling]::before{color:#facc15}
main{max-width:1180px;margin:0 auto;padding:18px 20px 40px}
h1{font-size:22px;margin:6px 0 14px;overflow-wrap:anywhere}h2{font-size:17px;margin:26px 0 10px}
.card{background:#fff;border:1px solid #dde1ec;border-radius:12px;padding:16px;margin-bottom:16px}
.filters{display:flex;flex-wrap:wrap;gap:10px 14px;align-items:end}
.filters div{display:flex;flex-direction:column;gap:4px}
label{font-size:13px;color:#3d4457;font-weight:600}
input,select{font:inherit;padding:7px 9px;border:1px solid #9aa1b5;border-radius:8px;background:#fff;color:#1c1f2a}
button{font:inherit;font-weight:600;padding:8px 14px;border-radius:8px;border:1px solid #1f45b8;background:#fff;color:#1f45b8;cursor:pointer}
button.primary{background:#1f45b8;color:#fff}button.danger{border-color:#a11d1d;color:#a11d1d}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #e4e7ef;vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#4a5165;background:#f8f9fc}
td.num{text-align:right;white-space:nowrap}td code,dd code{overflow-wrap:anywhere}
.state{display:inline-block;padding:2px 9px;border-radius:99px;font-size:13px;font-weight:700;white-space:nowrap;background:#e6e9f7;color:#23306b}
.state-paid,.state-paid_out{background:#dcf3e2;color:#14632a}.state-underpaid{background:#fff0cf;color:#684000}
.state-cancelled,.state-failed,.state-expired{background:#fbe1e1;color:#8a1c1c}
.ack-yes{color:#14632a;font-weight:700}.ack-no{color:#8a1c1c;font-weight:700}
dl.fields{display:grid;grid-template-columns:minmax(150px,max-content) 1fr;gap:6px 16px;margin:0}
dl.fields dt{color:#4a5165;font-size:13px}dl.fields dd{margin:0;overflow-wrap:anywhere;font-family:ui-monospace,"NanumGothicCoding","DejaVu Sans Mono",monospace;font-size:13px}
@media (max-width:640px){dl.fields{grid-template-columns:1fr}dl.fields dd{margin-bottom:6px}}
form.inline{display:flex;flex-wrap:wrap;gap:8px 10px;align-items:end;margin:0 0 12px}
form.stack{display:grid;gap:8px;margin:0 0 14px;max-width:560px}
form.stack .buttons{display:flex;gap:10px;flex-wrap:wrap}
fieldset{border:1px solid #dde1ec;border-radius:10px;padding:8px 12px 12px;display:grid;gap:6px}
legend{font-size:13px;font-weight:700;color:#3d4457;padding:0 4px}
.check{display:flex;gap:6px;align-items:center}.hint{font-size:12px;color:#4a5165}
.notice{background:#e2f3e6;color:#14632a;border-radius:8px;padding:10px 12px}
.error{background:#fbe1e1;color:#8a1c1c;border-radius:8px;padding:10px 12px;overflow-wrap:anywhere}
pre{background:#f3f4f8;border-radius:8px;padding:8px;margin:6px 0 0;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;max-width:60ch}
details summary{cursor:pointer;color:#1f45b8}
ol.history{margin:0;padding-left:20px}ol.history li{margin:3px 0}
.muted{color:#4a5165;font-size:13px}.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
details>fieldset{margin-top:6px}.card>h2:first-child{margin-top:0}
.empty{padding:24px;text-align:center;color:#4a5165}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}`;

/**
 * Live updates: Server-Sent Events from /events; on each change the page re-fetches itself and swaps
 * every [data-live] region, except one holding focus or typed input (so a half-filled form is never
 * wiped). Without EventSource, or once the stream is closed for good, it polls every 2 s.
 */
export const DASHBOARD_JS = `(function(){
var indicator=document.querySelector('[data-testid=live-indicator]');
function mark(state,text){if(indicator){indicator.setAttribute('data-state',state);indicator.textContent=text;}}
var busy=false,again=false;
function busyRegion(el){var a=document.activeElement;if(a&&a!==document.body&&el.contains(a))return true;
var inputs=el.querySelectorAll('input[data-dirty],select[data-dirty]');return inputs.length>0;}
function refresh(){if(busy){again=true;return;}busy=true;
fetch(location.href,{headers:{accept:'text/html'},cache:'no-store'}).then(function(r){return r.text();}).then(function(html){
var doc=new DOMParser().parseFromString(html,'text/html');
document.querySelectorAll('[data-live]').forEach(function(el){var next=doc.querySelector('[data-live="'+el.getAttribute('data-live')+'"]');
if(next&&!busyRegion(el)&&next.innerHTML!==el.innerHTML)el.innerHTML=next.innerHTML;});
}).catch(function(){}).then(function(){busy=false;if(again){again=false;refresh();}});}
var timer;function poll(){if(timer)return;mark('polling','Updating every 2 s');timer=setInterval(refresh,2000);}
document.addEventListener('input',function(e){if(e.target&&e.target.setAttribute)e.target.setAttribute('data-dirty','1');});
document.addEventListener('submit',function(){document.querySelectorAll('[data-dirty]').forEach(function(x){x.removeAttribute('data-dirty');});});
if(!window.EventSource){poll();return;}
var version=document.body.getAttribute('data-version');
var es=new EventSource('/events');
es.addEventListener('open',function(){mark('live','Live');});
es.addEventListener('change',function(e){if(e.data===version)return;version=e.data;refresh();});
es.addEventListener('error',function(){if(es.readyState===2){poll();}else{mark('polling','Reconnecting…');}});
})();`;
