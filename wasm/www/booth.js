// The booth page (main thread): renders the ballot from the manifest, and asks the
// workers (worker.js) to check, encrypt, challenge, cast and verify. Nothing here is
// cryptography or a vote rule: the wasm package checks and says what is wrong.

/** A worker with promise-returning calls. */
function startWorker(name) {
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module", name });
  let next = 0;
  const waiting = new Map();
  worker.onmessage = ({ data }) => {
    const w = waiting.get(data.id);
    waiting.delete(data.id);
    if (data.ok) w.resolve(data.result);
    else w.reject(Object.assign(new Error(data.error.message), data.error));
  };
  worker.onerror = (e) => {
    for (const w of waiting.values()) w.reject(new Error(`worker ${name}: ${e.message}`));
    waiting.clear();
  };
  return (op, ...args) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op, args });
    });
}

const booth = startWorker("booth");
const device = startWorker("second-device"); // only sees bytes and the opening JSON

const $ = (id) => document.getElementById(id);
const show = (id, on = true) => ($(id).hidden = !on);
let manifest = null;
let current = null; // { ballotId, trackingCode, trackingCodeHex, bytes, ms, precomputedMs }
let counter = 0;
let nextId = null; // the id of the ballot the booth worker is precomputing or holds
let lastCheck = Promise.resolve(); // the latest live check (tests wait for it)

function ruleText(rule, n) {
  switch (rule.type) {
    case "approval":
      if (rule.min === 1 && rule.max === 1) return "Choose one.";
      if (rule.min === rule.max) return `Choose exactly ${rule.max}.`;
      return rule.min ? `Choose ${rule.min} to ${rule.max}.` : `Choose up to ${rule.max}.`;
    case "cumulative":
      return `Give up to ${rule.per_option} points to an option, ${rule.min} to ${rule.max} points in all.`;
    case "score":
      return `Score each option from 0 to ${rule.max}.`;
    case "ranked":
      return rule.seats === 1
        ? "Rank the candidates in order of preference (instant-runoff)."
        : `Rank the candidates in order of preference (${rule.seats} seats, single transferable vote).`;
    case "write_in":
      return `Write a name (at most ${rule.max_len} bytes).`;
    default:
      return `This booth cannot fill ${rule.type} contests (${n} options).`;
  }
}

function renderBallot() {
  const box = $("contests");
  box.replaceChildren();
  for (const c of manifest.contests) {
    const fs = document.createElement("fieldset");
    fs.dataset.contest = c.id;
    const legend = document.createElement("legend");
    legend.textContent = c.title || c.id;
    const rule = document.createElement("p");
    rule.className = "rule";
    rule.textContent = ruleText(c.rule, c.options.length);
    fs.append(legend, rule);
    if (c.rule.type === "ranked") {
      // One menu per rank; the ranking is the options picked, in rank order.
      c.options.forEach((_, k) => {
        const label = document.createElement("label");
        label.className = "option";
        const select = document.createElement("select");
        select.name = c.id;
        select.dataset.rank = String(k + 1);
        select.append(new Option("—", ""));
        c.options.forEach((o, i) => select.append(new Option(o.label || o.id, String(i))));
        const text = document.createElement("span");
        text.textContent = `preference ${k + 1}`;
        label.append(select, text);
        fs.append(label);
      });
    } else if (c.rule.type === "write_in") {
      const input = document.createElement("input");
      input.type = "text";
      input.name = c.id;
      input.maxLength = c.rule.max_len;
      input.className = "write-in";
      fs.append(input);
    }
    const single = c.rule.type === "approval" && c.rule.max === 1;
    for (const o of ["ranked", "write_in"].includes(c.rule.type) ? [] : c.options) {
      const label = document.createElement("label");
      label.className = "option";
      const input = document.createElement("input");
      input.name = c.id;
      input.value = o.id;
      if (c.rule.type === "approval") {
        input.type = single ? "radio" : "checkbox";
      } else if (c.rule.type === "cumulative" || c.rule.type === "score") {
        input.type = "number";
        input.min = "0";
        input.max = String(c.rule.type === "score" ? c.rule.max : c.rule.per_option);
        input.value = "0";
        input.dataset.option = o.id;
      } else {
        input.type = "checkbox";
        input.disabled = true;
      }
      const text = document.createElement("span");
      text.textContent = o.label || o.id;
      label.append(input, text);
      fs.append(label);
    }
    const err = document.createElement("p");
    err.className = "contest-error";
    err.hidden = true;
    fs.append(err);
    box.append(fs);
  }
}

/**
 * The voter's choices as { contestId: values }: one value per option, a ranking (option
 * indices in preference order) for ranked contests, the UTF-8 bytes of a write-in.
 */
function readChoices() {
  const p = {};
  for (const c of manifest.contests) {
    const scope = `fieldset[data-contest="${CSS.escape(c.id)}"]`;
    if (c.rule.type === "ranked") {
      p[c.id] = [...document.querySelectorAll(`${scope} select`)]
        .filter((s) => s.value !== "")
        .map((s) => Number(s.value));
      continue;
    }
    if (c.rule.type === "write_in") {
      const text = document.querySelector(`${scope} input`).value.trim();
      p[c.id] = Array.from(new TextEncoder().encode(text));
      continue;
    }
    if (!["approval", "cumulative", "score"].includes(c.rule.type)) continue;
    const inputs = [...document.querySelectorAll(`fieldset[data-contest="${CSS.escape(c.id)}"] input`)];
    p[c.id] = inputs.map((i) =>
      i.type === "number" ? Math.max(0, Math.floor(Number(i.value) || 0)) : i.checked ? 1 : 0,
    );
  }
  return p;
}

function clearErrors() {
  show("error", false);
  for (const fs of document.querySelectorAll("fieldset")) {
    fs.classList.remove("invalid");
    fs.querySelector(".contest-error").hidden = true;
  }
}

/** Shows an OstraconError where it belongs: under its contest when it names one. */
function showError(e) {
  const fs = e.contest && document.querySelector(`fieldset[data-contest="${CSS.escape(e.contest)}"]`);
  if (fs) {
    fs.classList.add("invalid");
    const p = fs.querySelector(".contest-error");
    p.textContent = e.message;
    p.hidden = false;
  }
  $("error").textContent = `${e.message}${e.code ? ` [${e.code}]` : ""}`;
  show("error");
}

function checkLive() {
  const choices = readChoices();
  lastCheck = booth("check", choices).then(
    () => {
      clearErrors();
      $("encrypt").disabled = current !== null; // one ballot at a time
    },
    (e) => {
      clearErrors();
      showError(e);
      $("encrypt").disabled = true;
    },
  );
  return lastCheck;
}

function optionLabel(contestId, index) {
  const c = manifest.contests.find((x) => x.id === contestId);
  const o = c?.options[index];
  return o ? o.label || o.id : String(index);
}

function describeChoices(choices) {
  const rows = [];
  for (const c of manifest.contests) {
    const v = choices[c.id];
    if (!v) continue;
    if (c.rule.type === "ranked") {
      rows.push([c.title || c.id, v.length ? v.map((i) => optionLabel(c.id, i)).join(" > ") : "(none)"]);
      continue;
    }
    if (c.rule.type === "write_in") {
      const text = new TextDecoder().decode(Uint8Array.from(v));
      rows.push([c.title || c.id, text || "(none)"]);
      continue;
    }
    const picked = v
      .map((x, i) => (x ? (c.rule.type === "approval" ? optionLabel(c.id, i) : `${optionLabel(c.id, i)}: ${x}`) : null))
      .filter(Boolean);
    rows.push([c.title || c.id, picked.length ? picked.join(", ") : "(none)"]);
  }
  return rows;
}

/**
 * Asks the booth worker to precompute the next ballot while the voter reads and fills
 * the form: the choice-independent ~90 % of the encryption. Encrypting then only
 * finishes it (and falls back to a full encryption if the precomputation failed).
 */
function prepareNext() {
  nextId = `booth-${Date.now().toString(36)}-${counter++}`;
  booth("prepare", nextId).catch(() => {});
}

async function encrypt(ev) {
  ev.preventDefault();
  clearErrors();
  $("encrypt").disabled = true;
  $("encrypt-status").textContent = "Encrypting…";
  try {
    current = await booth("encrypt", nextId, readChoices());
    nextId = null;
    $("tracking-code").textContent = current.trackingCode;
    $("tracking-code-hex").textContent = current.trackingCodeHex;
    const how =
      current.precomputedMs === null
        ? "(no precomputation)"
        : `(precomputed in ${current.precomputedMs.toFixed(1)} ms while the ballot was shown)`;
    $("ballot-info").textContent =
      `Ballot ${current.ballotId}: ${current.bytes.length} bytes, encrypted with proofs in ${current.ms.toFixed(1)} ms ${how}.`;
    $("encrypt-status").textContent = "";
    $("encrypt").disabled = true;
    for (const i of document.querySelectorAll("#contests input, #contests select")) i.disabled = true;
    show("receipt");
    $("challenge").disabled = false;
    $("cast").disabled = false;
  } catch (e) {
    $("encrypt-status").textContent = "";
    $("encrypt").disabled = false;
    showError(e);
  }
}

async function challenge() {
  $("challenge").disabled = $("cast").disabled = true;
  const { ballotId, bytes } = current;
  show("challenge-result");
  $("challenge-status").className = "status";
  $("challenge-status").textContent = "Checking on a second device…";
  try {
    const { opening } = await booth("challenge", ballotId);
    $("opening-json").textContent = opening;
    // The second device gets the bytes the booth published and the opening only.
    const check = await device("verifyOpening", bytes, opening);
    const valid = await device("validate", bytes);
    if (check.trackingCodeHex !== current.trackingCodeHex || valid.trackingCodeHex !== current.trackingCodeHex) {
      throw new Error("the tracking code of the published ballot differs from the one shown");
    }
    $("challenge-status").className = "status ok";
    $("challenge-status").textContent =
      `Challenge verified: ballot ${check.trackingCode} encrypts exactly these choices, and its proofs are valid. It will not be counted.`;
    const table = $("challenge-choices");
    table.replaceChildren();
    for (const [contest, picked] of describeChoices(check.choices)) {
      const tr = table.insertRow();
      tr.insertCell().textContent = contest;
      tr.insertCell().textContent = picked;
    }
  } catch (e) {
    $("challenge-status").className = "status bad";
    $("challenge-status").textContent = `Challenge FAILED: ${e.message}`;
  }
}

async function cast() {
  $("challenge").disabled = $("cast").disabled = true;
  show("cast-result");
  $("cast-status").className = "status";
  $("cast-status").textContent = "Casting…";
  try {
    const sub = await booth("cast", current.ballotId, null, null);
    // What the ballot box does on receipt: full validation (here on the second instance).
    const check = await device("validate", sub.ballot);
    $("cast-status").className = "status ok";
    $("cast-status").textContent = `Cast: ballot ${check.trackingCode} accepted by the ballot-box check.`;
    $("cast-info").textContent =
      `Submission: ballot ${sub.ballotId}, ${sub.ballot.length} bytes; look for ${sub.trackingCode} on the bulletin board.`;
  } catch (e) {
    $("cast-status").className = "status bad";
    $("cast-status").textContent = `Cast failed: ${e.message}`;
  }
}

function reset() {
  show("receipt", false);
  show("challenge-result", false);
  show("cast-result", false);
  current = null;
  prepareNext();
  for (const i of document.querySelectorAll("#contests input, #contests select")) {
    const c = manifest.contests.find((x) => x.id === i.name);
    i.disabled = !["approval", "cumulative", "score", "ranked", "write_in"].includes(c.rule.type);
  }
  checkLive();
}

/** { n, median, min, max, times } of a list of times (ms). */
function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const n = times.length;
  return { n, median: sorted[Math.floor(n / 2)], min: sorted[0], max: sorted[n - 1], times };
}

/**
 * Times `n` encryptions of a 10-option approval ballot from the page: online (the
 * top-level fields), and with a precomputation (`precompute`: the work done while the
 * ballot is shown; `precomputed`: what the voter waits for after choosing).
 */
async function bench(n = 50) {
  const json = await (await fetch("bench-election.json")).text();
  const r = await booth("bench", json, { council: [1, 0, 0, 1, 0, 0, 0, 0, 1, 0] }, n);
  return { ...stats(r.online), precompute: stats(r.precompute), precomputed: stats(r.precomputed) };
}

async function main() {
  const json = await (await fetch("election.json")).text();
  const { baseHash, manifest: m } = await booth("load", json);
  await device("load", json);
  manifest = m;
  prepareNext();
  $("title").textContent = m.title || m.election_id;
  $("base-hash").textContent = `${m.election_id} · base hash ${baseHash.slice(0, 16)}…`;
  renderBallot();
  $("contests").addEventListener("change", checkLive);
  $("contests").addEventListener("input", (e) => e.target.type === "text" && checkLive());
  $("ballot-form").addEventListener("submit", encrypt);
  $("challenge").addEventListener("click", challenge);
  $("cast").addEventListener("click", cast);
  $("again").addEventListener("click", reset);
  $("again-cast").addEventListener("click", reset);
  $("bench").addEventListener("click", async () => {
    $("bench-result").textContent = "running…";
    const r = await bench(50);
    $("bench-result").textContent =
      `median ${r.median.toFixed(2)} ms (min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)}); ` +
      `precomputed: ${r.precomputed.median.toFixed(2)} ms after ${r.precompute.median.toFixed(2)} ms ahead`;
  });
  await checkLive();
}

window.booth = { ready: main(), bench, settled: () => lastCheck };
window.booth.ready.catch((e) => {
  $("status") && ($("status").textContent = `Could not load the booth: ${e.message}`);
  showError(e);
});
