// earlywarn globe.html: draws the scene-data JSON on an orthographic d3-geo globe.
(function(){
"use strict";
const D = JSON.parse(document.getElementById("scene-data").textContent);
const cv = document.getElementById("globe"), ctx = cv.getContext("2d");
const W = cv.width, H = cv.height;
const proj = d3.geoOrthographic().translate([W/2, H/2]).scale(W/2 - 12).clipAngle(90)
  .precision(0.3);
const path = d3.geoPath(proj, ctx);
const LC = D.level_colors, LV = D.levels;
const KIND = {ir:"#ffb347", radar:"#5ac8fa"};
const PAL = ["#ffffff","#c77dff","#ff8fab","#72efdd","#b5e48c","#ffd166","#f4a261"];
const launchColor = {}; let nl = 0;
for (const o of D.objects) if (!(o.launch in launchColor)) launchColor[o.launch] = PAL[nl++ % PAL.length];

// start looking at the content: the mean direction of launch points and impacts
(function centre(){
  let x=0,y=0,z=0,n=0;
  const add = (ll)=>{ if(!ll) return; const l=ll[0]*Math.PI/180, p=ll[1]*Math.PI/180;
    x+=Math.cos(p)*Math.cos(l); y+=Math.cos(p)*Math.sin(l); z+=Math.sin(p); n++; };
  for (const t of D.truth){ add(t.launch); add(t.impact); }
  for (const a of D.alerts){ add(a.launch); add(a.impact); }
  for (const r of D.radars) add([r.lon, r.lat]);
  if (!n) for (const s of D.satellites) add([s.lon[0], s.lat[0]]);
  if (!n) return;
  const lon = Math.atan2(y,x)*180/Math.PI, lat = Math.atan2(z, Math.hypot(x,y))*180/Math.PI;
  proj.rotate([-lon, -Math.max(-60, Math.min(60, lat))]);
})();

// a polygon in d3-geo is the smaller side of its ring: reverse rings wound the other way
function poly(ring){
  const f = {type:"Polygon", coordinates:[ring]};
  if (d3.geoArea(f) > 2*Math.PI) f.coordinates = [ring.slice().reverse()];
  return f;
}
function line(lon, lat, n){
  const c = []; for (let i=0;i<n;i++) if (lon[i]!==null && lat[i]!==null) c.push([lon[i],lat[i]]);
  return {type:"LineString", coordinates:c};
}
function upto(t, arr){ let lo=0, hi=arr.length; while(lo<hi){ const m=(lo+hi)>>1; if(arr[m]<=t) lo=m+1; else hi=m; } return lo; }
function interp(t, ts, v){
  const i = upto(t, ts); if (i<=0) return v[0]; if (i>=ts.length) return v[ts.length-1];
  const f = (t-ts[i-1])/(ts[i]-ts[i-1]); return v[i-1] + f*(v[i]-v[i-1]);
}
function interpLon(t, ts, v){
  const i = upto(t, ts); if (i<=0) return v[0]; if (i>=ts.length) return v[ts.length-1];
  let d = v[i]-v[i-1]; if (d>180) d-=360; if (d<-180) d+=360;
  return v[i-1] + (t-ts[i-1])/(ts[i]-ts[i-1])*d;
}
const areaFeat = D.areas.map(a => poly(a.ring));
const fanFeat = D.radars.map(r => r.fans.map(poly));
const coast = {type:"MultiLineString", coordinates:D.coast};
const borders = {type:"MultiLineString", coordinates:D.borders};
const circle = d3.geoCircle();
const fmtT = (t)=> (t<0?"−":"") + "T+" + Math.abs(t).toFixed(0) + " s";
function utc(t){ return new Date(Date.parse(D.epoch_utc) + t*1000).toISOString().slice(11,19) + "Z"; }

function stroke(g, color, width, dash){ ctx.beginPath(); path(g); ctx.strokeStyle=color;
  ctx.lineWidth=width; ctx.setLineDash(dash||[]); ctx.stroke(); ctx.setLineDash([]); }
function fill(g, color){ ctx.beginPath(); path(g); ctx.fillStyle=color; ctx.fill(); }
function dot(ll, r, color, edge){ const p = proj(ll); if (!p) return;
  const rot = proj.rotate(); if (d3.geoDistance(ll, [-rot[0], -rot[1]]) > Math.PI/2) return;
  ctx.beginPath(); ctx.arc(p[0], p[1], r, 0, 2*Math.PI); ctx.fillStyle=color; ctx.fill();
  if (edge){ ctx.strokeStyle=edge; ctx.lineWidth=1.2; ctx.stroke(); } }
function label(ll, text, color, below){ const p = proj(ll); if (!p) return;
  const rot = proj.rotate(); if (d3.geoDistance(ll, [-rot[0], -rot[1]]) > Math.PI/2) return;
  ctx.font="12px system-ui,sans-serif"; ctx.fillStyle=color;
  if (below){ ctx.textAlign="right"; ctx.fillText(text, p[0]-7, p[1]+16); ctx.textAlign="left"; }
  else ctx.fillText(text, p[0]+7, p[1]-6); }

function latestPerEvent(t){
  const last = {}, launch = {}, impact = {};
  for (const a of D.alerts){ if (a.t > t) break;
    last[a.event] = a; if (a.launch) launch[a.event] = a; if (a.impact) impact[a.event] = a; }
  return {last, launch, impact};
}

let T = D.t_end_s;
function draw(){
  ctx.clearRect(0,0,W,H);
  fill({type:"Sphere"}, "#17324d");
  stroke(d3.geoGraticule10(), "rgba(255,255,255,0.08)", 0.6);
  stroke(borders, "rgba(200,210,220,0.35)", 0.5);
  stroke(coast, "#c9d6e3", 0.9);
  for (const f of areaFeat){ fill(f, "rgba(90,150,255,0.25)"); stroke(f, "#6fa8ff", 1.4); }
  D.areas.forEach(a => label(a.label, a.name, "#9cc2ff"));
  for (const fans of fanFeat) for (const f of fans){ fill(f, "rgba(60,200,90,0.12)"); stroke(f, "#3cc85a", 0.9); }
  for (const r of D.radars){ dot([r.lon, r.lat], 4.5, "#3cc85a", "#000"); label([r.lon, r.lat], r.id, "#8fe3a2"); }
  for (const s of D.satellites){
    const lon = interpLon(T, s.t, s.lon), lat = interp(T, s.t, s.lat);
    const fp = interp(T, s.t, s.footprint_deg);
    stroke(circle.center([lon, lat]).radius(fp)(), "rgba(255,214,10,0.55)", 1.0, [5,4]);
    stroke(line(s.lon, s.lat, s.t.length), "rgba(255,214,10,0.25)", 0.8);
    dot([lon, lat], 5, "#ffd60a", "#000"); label([lon, lat], s.id, "#ffd60a");
  }
  for (const o of D.objects){
    const n = upto(T, o.t); if (n < 1) continue;
    const c = launchColor[o.launch];
    stroke(line(o.lon, o.lat, n), c, /booster|stage/i.test(o.kind) ? 1.0 : 1.8,
           /booster|stage/i.test(o.kind) ? [4,3] : []);
    if (n < o.t.length) dot([o.lon[n-1], o.lat[n-1]], 3.5, c, "#000");
  }
  const R = D.reports; const nr = upto(T, R.t);
  for (let i=0;i<nr;i++) dot([R.lon[i], R.lat[i]], 1.6, KIND[R.kind[i]] || "#fff");
  for (const t of D.truth){ if (t.t > T) continue;
    dot(t.launch, 5, "none", "#fff"); label(t.launch, t.id + " (true)", "#ffffff", true);
    if (t.impact && t.impact_t !== null && t.impact_t <= T) dot(t.impact, 5, "none", "#fff"); }
  const L = latestPerEvent(T);
  for (const ev in L.impact){ const a = L.impact[ev], c = LC[a.level];
    if (a.ellipse){ const f = poly(a.ellipse); fill(f, c + "55"); stroke(f, c, 1.6); }
    dot(a.impact, 4, c, "#000"); }
  for (const ev in L.launch){ const a = L.launch[ev], c = LC[(L.last[ev]||a).level];
    if (a.launch_sigma_km) stroke(circle.center(a.launch).radius(a.launch_sigma_km/111.195)(), c, 1.0, [3,3]);
    dot(a.launch, 5.5, c, "#000"); label(a.launch, ev, "#ffffff"); }
  stroke({type:"Sphere"}, "#5a7894", 1.2);
  ladder(L.last);
}

function ladder(last){
  const lad = document.getElementById("ladder"); lad.innerHTML = "";
  for (let k = LV.length-1; k >= 1; k--){
    const lv = LV[k], row = document.createElement("div"); row.className = "rung";
    row.dataset.level = lv;
    const nm = document.createElement("span"); nm.className = "name"; nm.textContent = lv.replace(/_/g," ");
    nm.style.color = LC[lv]; row.appendChild(nm);
    const ev = document.createElement("span"); ev.className = "ev";
    for (const e in last){ const a = last[e]; if (a.level !== lv) continue;
      const c = document.createElement("span"); c.className = "chip"; c.style.background = LC[lv];
      let txt = e; if (a.vehicle_class) txt += " " + a.vehicle_class;
      if (a.disposition && a.disposition !== "OPEN") txt += " → " + a.disposition.replace(/_/g," ").toLowerCase();
      c.textContent = txt; ev.appendChild(c); }
    row.appendChild(ev); lad.appendChild(row);
  }
  for (const li of document.querySelectorAll("#alerts li")) li.classList.toggle("future", +li.dataset.t > T);
}

function buildAlertList(){
  const ol = document.getElementById("alerts");
  for (const a of D.alerts){
    const li = document.createElement("li"); li.dataset.t = a.t;
    const chip = document.createElement("span"); chip.className = "chip";
    chip.style.background = LC[a.level]; chip.textContent = a.level;
    li.appendChild(document.createTextNode(a.t.toFixed(0) + " s after epoch: " + a.event + " "));
    li.appendChild(chip);
    let more = [];
    if (a.vehicle_class) more.push(a.vehicle_class);
    if (a.disposition && a.disposition !== "OPEN") more.push(a.disposition + (a.reason ? " (" + a.reason + ")" : ""));
    if (a.threatened.length) more.push("threatens " + a.threatened.join(", "));
    if (a.decision_time_s !== null && a.decision_time_s !== undefined) more.push("decision time " + (a.decision_time_s/60).toFixed(1) + " min");
    li.appendChild(document.createTextNode(" " + more.join("; ")));
    ol.appendChild(li);
  }
}

function legend(){
  const items = [["#c9d6e3","coastline"],["#6fa8ff","defended area"],["#3cc85a","radar and its faces"],
    ["#ffd60a","IR satellite, dashed: horizon footprint"],["#ffffff","true trajectory (dashed: booster)"],
    [KIND.ir,"IR report (located)"],[KIND.radar,"radar report"]];
  for (const lv of LV.slice(1)) items.push([LC[lv], lv.replace(/_/g," ") + ": launch point, impact ellipse"]);
  document.getElementById("legend").innerHTML = items.map(([c,t]) =>
    '<span><i style="background:' + c + '"></i>' + t + '</span>').join("");
}

const slider = document.getElementById("time");
slider.min = Math.floor(D.t_start_s); slider.max = Math.ceil(D.t_end_s); slider.value = slider.max;
function setT(t){ T = +t; slider.value = T;
  document.getElementById("tlabel").textContent = fmtT(T) + " after epoch";
  document.getElementById("clock").textContent = utc(T) + "  (epoch " + D.epoch_utc + ")";
  draw(); }
slider.addEventListener("input", () => setT(slider.value));
let timer = null;
document.getElementById("play").addEventListener("click", () => {
  const b = document.getElementById("play");
  if (timer){ clearInterval(timer); timer = null; b.textContent = "▶ play"; return; }
  if (T >= D.t_end_s) setT(D.t_start_s);
  b.textContent = "❚❚ pause";
  const step = Math.max(1, (D.t_end_s - D.t_start_s)/600);
  timer = setInterval(() => { if (T + step > D.t_end_s){ setT(D.t_end_s); b.click(); } else setT(T + step); }, 40);
});
let drag = null;
cv.addEventListener("mousedown", e => { drag = [e.clientX, e.clientY, proj.rotate()]; });
window.addEventListener("mouseup", () => { drag = null; });
window.addEventListener("mousemove", e => { if (!drag) return;
  const k = 0.25 * 380 / proj.scale(), r = drag[2];
  proj.rotate([r[0] + (e.clientX-drag[0])*k, Math.max(-90, Math.min(90, r[1] - (e.clientY-drag[1])*k))]);
  draw(); });
cv.addEventListener("wheel", e => { e.preventDefault();
  proj.scale(Math.max(200, Math.min(4000, proj.scale() * (e.deltaY < 0 ? 1.15 : 1/1.15)))); draw(); },
  {passive:false});
buildAlertList(); legend(); setT(D.t_end_s);
document.body.dataset.ready = "1";
})();
