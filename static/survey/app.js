// The offline field-survey app (/survey/): download a village's worklist, survey
// offline, sync one survey at a time with an idempotency key, resolve conflicts.
// The questions, rules and messages come from the server (the worklist's `form`,
// `standard`, `causes`), so the phone asks and checks what the survey page does.
"use strict";

(function () {
  const T = JSON.parse(document.getElementById("survey-strings").textContent);
  const CONFIG = JSON.parse(document.getElementById("survey-config").textContent);
  const db = window.surveyDb;
  const main = document.getElementById("app");
  const STEPS = ["general", "income", "deprivations", "causes", "review"];
  const ANSWERS = [
    "surveyed_on", "member_count", "income_per_capita", "score_a",
    "deprivations", "causes", "primary_cause", "support_needs",
  ];
  let csrfToken = "";
  let syncing = false;
  // A message shown just before a navigation stays for the next view.
  let flashSticky = false;

  // --- Small helpers ------------------------------------------------------------------

  // Reads and writes of drafts run one after another: an answer saved while the next
  // step is opening is never overwritten by a copy read before it.
  let lock = Promise.resolve();
  function exclusive(task) {
    const run = lock.then(task, task);
    lock = run.catch(() => {});
    return run;
  }

  function esc(value) {
    return String(value ?? "").replace(/[&<>"']/g, (c) => (
      { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]
    ));
  }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
  }

  function money(value) {
    if (value === "" || value === null || value === undefined) return "–";
    return `${new Intl.NumberFormat("vi-VN").format(Number(value))} ₫`;
  }

  function day(iso) {
    if (!iso) return "–";
    const [y, m, d] = String(iso).slice(0, 10).split("-");
    return `${d}/${m}/${y}`;
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function label(list, code) {
    const found = (list || []).find((item) => item.code === code);
    return found ? found.label : code;
  }

  function flash(text, kind = "info") {
    const box = document.getElementById("flash");
    box.innerHTML = `<div class="alert alert-${kind} mb-2" role="status">${esc(text)}</div>`;
    flashSticky = true;
  }

  function clearFlash() {
    document.getElementById("flash").innerHTML = "";
  }

  function showOnline() {
    const badge = document.getElementById("network");
    badge.textContent = navigator.onLine ? T.online : T.offline;
    badge.className = `badge ${navigator.onLine ? "text-bg-success" : "text-bg-secondary"}`;
  }

  // --- Drafts ---------------------------------------------------------------------------

  function emptyAnswers(worklist) {
    return {
      surveyed_on: worklist.survey_date, member_count: "", income_per_capita: "", score_a: "",
      deprivations: [], causes: [], primary_cause: "", support_needs: [],
    };
  }

  function answersFromServer(answers, worklist) {
    const a = { ...emptyAnswers(worklist) };
    for (const name of ANSWERS) {
      const value = answers[name];
      if (Array.isArray(value)) a[name] = [...value];
      else if (value !== null && value !== undefined) a[name] = String(value);
    }
    if (!answers.surveyed_on) a.surveyed_on = worklist.survey_date;
    return a;
  }

  async function draftFor(household, worklist) {
    const existing = await db.get("drafts", household.assessmentId);
    if (existing) return existing;
    const entry = household.entry;
    return {
      assessmentId: household.assessmentId,
      worklistKey: worklist.key,
      key: newKey(),
      state: "todo",
      step: 0,
      answers: answersFromServer(entry.assessment.answers, worklist),
      baseVersion: entry.assessment.version,
      baseHouseholdVersion: entry.household.version,
      errors: {},
      conflict: null,
      result: null,
      updatedAt: new Date().toISOString(),
    };
  }

  async function saveDraft(draft) {
    draft.updatedAt = new Date().toISOString();
    await db.put("drafts", draft);
  }

  function group(draft) {
    if (!draft || draft.state === "todo" || draft.state === "draft" || draft.state === "invalid") {
      return "todo";
    }
    return draft.state === "synced" ? "done" : "sync";
  }

  // The survey form's rules, as the server sent them.
  function validate(answers, form) {
    const errors = {};
    for (const name of ["surveyed_on", "member_count", "income_per_capita", "score_a"]) {
      const rule = form.fields[name];
      const value = String(answers[name] ?? "").trim();
      if (value === "") {
        if (rule.required) errors[name] = [rule.messages.required];
        continue;
      }
      if (rule.kind === "integer") {
        if (!/^-?\d+$/.test(value)) errors[name] = [rule.messages.invalid];
        else if (rule.min_value !== null && Number(value) < rule.min_value) {
          errors[name] = [rule.messages.min_value];
        }
      } else if (rule.kind === "date") {
        const parsed = new Date(`${value}T00:00:00`);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(parsed.getTime())) {
          errors[name] = [rule.messages.invalid];
        }
      }
    }
    const noIncome = String(answers.income_per_capita ?? "").trim() === "";
    const noScore = String(answers.score_a ?? "").trim() === "";
    if (noIncome && noScore && !errors.income_per_capita) {
      errors.income_per_capita = [form.evidence_message];
    }
    if (answers.primary_cause && !answers.causes.includes(answers.primary_cause)) {
      errors.primary_cause = [form.primary_cause_message];
    }
    return errors;
  }

  function payload(draft) {
    const a = draft.answers;
    const number = (v) => (String(v ?? "").trim() === "" ? null : Number(v));
    return {
      key: draft.key,
      assessment: draft.assessmentId,
      version: draft.baseVersion,
      household_version: draft.baseHouseholdVersion,
      surveyed_on: a.surveyed_on,
      member_count: number(a.member_count),
      income_per_capita: number(a.income_per_capita),
      score_a: number(a.score_a),
      deprivations: a.deprivations,
      causes: a.causes,
      primary_cause: a.primary_cause || "",
      support_needs: a.support_needs,
    };
  }

  // --- Server ---------------------------------------------------------------------------

  async function session() {
    const response = await fetch(CONFIG.session_url, { credentials: "same-origin" });
    const body = await response.json();
    csrfToken = body.csrf_token || "";
    return body;
  }

  async function getJson(url) {
    const response = await fetch(url, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.detail || response.statusText);
    return body;
  }

  function loginNeeded() {
    flash(T.login_needed, "warning");
    const box = document.getElementById("flash");
    box.insertAdjacentHTML(
      "beforeend",
      `<a class="btn btn-warning btn-lg w-100 mb-2" href="${esc(CONFIG.login_url)}">${esc(T.sign_in)}</a>`,
    );
  }

  async function download(roundId, villageId) {
    const url = `${CONFIG.api}survey/worklist/?round=${roundId}&village=${villageId}`;
    const data = await getJson(url);
    const key = `${data.round.id}:${data.village.id}`;
    const households = data.households.map((entry) => ({
      assessmentId: entry.assessment.id, worklistKey: key, entry,
    }));
    const worklist = {
      key,
      round: data.round,
      village: data.village,
      standard: data.standard,
      causes: data.causes,
      support_needs: data.support_needs,
      statuses: data.statuses,
      form: data.form,
      downloaded_at: data.downloaded_at,
      survey_date: data.survey_date,
      assessmentIds: households.map((h) => h.assessmentId),
    };
    await db.saveWorklist(worklist, households);
    return worklist;
  }

  // Queued surveys go up one by one; a dropped connection leaves the rest queued and
  // the one in flight is simply sent again with the same key.
  async function syncAll() {
    if (syncing) return;
    syncing = true;
    try {
      await syncQueued();
    } finally {
      syncing = false;
    }
  }

  async function syncQueued() {
    clearFlash();
    if (!navigator.onLine) {
      flash(T.offline_no_sync, "secondary");
      return;
    }
    let me;
    try {
      me = await session();
    } catch (error) {
      flash(T.connection_lost, "warning");
      return;
    }
    if (!me.authenticated) {
      loginNeeded();
      return;
    }
    const queued = (await db.all("drafts")).filter((d) => d.state === "ready" || d.state === "sending");
    queued.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    let sent = 0;
    let conflicts = 0;
    let invalid = 0;
    for (const draft of queued) {
      draft.state = "sending";
      await saveDraft(draft);
      let response;
      try {
        response = await fetch(`${CONFIG.api}survey/submissions/`, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken,
          },
          body: JSON.stringify(payload(draft)),
        });
      } catch (error) {
        draft.state = "ready";
        await saveDraft(draft);
        flash(T.connection_lost, "warning");
        render();
        return;
      }
      const body = await response.json().catch(() => ({}));
      if (response.status === 200 || response.status === 201) {
        draft.state = "synced";
        draft.errors = {};
        draft.conflict = null;
        draft.result = body.assessment;
        sent += 1;
      } else if (response.status === 409 && body.code === "survey_conflict") {
        draft.state = "conflict";
        draft.conflict = body;
        conflicts += 1;
      } else if (response.status === 400) {
        draft.state = "invalid";
        draft.errors = body.errors || {};
        invalid += 1;
      } else {
        draft.state = "ready";
        await saveDraft(draft);
        if (response.status === 401 || response.status === 403) loginNeeded();
        else flash(body.detail || T.server_error, "danger");
        render();
        return;
      }
      await saveDraft(draft);
    }
    const parts = [fmt(T.synced_count, { count: sent })];
    if (conflicts) parts.push(fmt(T.conflict_count, { count: conflicts }));
    if (invalid) parts.push(fmt(T.invalid_count, { count: invalid }));
    flash(parts.join(" "), conflicts || invalid ? "warning" : "success");
    render();
  }

  // --- Views ----------------------------------------------------------------------------

  async function viewHome() {
    const worklists = await db.all("worklists");
    const drafts = await db.all("drafts");
    const queued = drafts.filter((d) => d.state === "ready" || d.state === "sending").length;
    let html = `<h1 class="h4 mb-3">${esc(T.title)}</h1>`;
    html += `<button class="btn btn-primary btn-lg w-100 mb-3" data-action="sync" ${queued ? "" : "disabled"}>
      ${esc(fmt(T.sync_button, { count: queued }))}</button>`;
    html += `<h2 class="h5">${esc(T.my_worklists)}</h2>`;
    if (!worklists.length) html += `<p class="text-body-secondary">${esc(T.no_worklists)}</p>`;
    for (const w of worklists) {
      const mine = drafts.filter((d) => d.worklistKey === w.key);
      const count = (g) => w.assessmentIds.filter((id) => group(mine.find((d) => d.assessmentId === id)) === g).length;
      html += `<a class="card mb-2 text-decoration-none survey-target" href="#/w/${esc(w.key)}" data-worklist="${esc(w.key)}">
        <div class="card-body">
          <div class="fw-semibold">${esc(w.village.name)}</div>
          <div class="small text-body-secondary">${esc(w.round.unit.name)} · ${esc(w.round.year)} · ${esc(w.standard.code)}</div>
          <div class="small mt-1">${esc(fmt(T.counts, { todo: count("todo"), sync: count("sync"), done: count("done") }))}</div>
          <div class="small text-body-secondary">${esc(fmt(T.downloaded_at, { when: new Date(w.downloaded_at).toLocaleString("vi-VN") }))}</div>
        </div></a>`;
    }
    html += `<h2 class="h5 mt-4">${esc(T.download_title)}</h2><div id="download">`;
    html += navigator.onLine
      ? `<p class="text-body-secondary">${esc(T.loading)}</p>`
      : `<p class="text-body-secondary">${esc(T.offline_no_download)}</p>`;
    html += "</div>";
    main.innerHTML = html;
    if (navigator.onLine) loadRounds();
  }

  async function loadRounds() {
    const box = document.getElementById("download");
    let rounds;
    try {
      const me = await session();
      if (!me.authenticated) {
        box.innerHTML = "";
        loginNeeded();
        return;
      }
      rounds = await getJson(`${CONFIG.api}survey/rounds/`);
    } catch (error) {
      box.innerHTML = `<p class="text-body-secondary">${esc(T.offline_no_download)}</p>`;
      return;
    }
    if (!rounds.length) {
      box.innerHTML = `<p class="text-body-secondary">${esc(T.no_rounds)}</p>`;
      return;
    }
    const roundOptions = rounds.map((r) => `<option value="${r.id}">${esc(r.unit.name)} – ${esc(r.year)} (${esc(r.standard)})</option>`).join("");
    box.innerHTML = `
      <label class="form-label" for="round">${esc(T.round)}</label>
      <select class="form-select form-select-lg mb-3" id="round">${roundOptions}</select>
      <label class="form-label" for="village">${esc(T.village)}</label>
      <select class="form-select form-select-lg mb-3" id="village"></select>
      <button class="btn btn-outline-primary btn-lg w-100" data-action="download">${esc(T.download_button)}</button>`;
    const fillVillages = () => {
      const round = rounds.find((r) => String(r.id) === document.getElementById("round").value);
      document.getElementById("village").innerHTML = round.villages.map((v) => (
        `<option value="${v.id}">${esc(v.name)} (${esc(fmt(T.households_to_survey, { count: v.to_survey }))})</option>`
      )).join("");
    };
    document.getElementById("round").addEventListener("change", fillVillages);
    fillVillages();
  }

  async function viewWorklist(key, tab) {
    const worklist = await db.get("worklists", key);
    if (!worklist) return go("#/");
    const households = await db.all("households", "worklist", key);
    const drafts = await db.all("drafts", "worklist", key);
    const byId = Object.fromEntries(drafts.map((d) => [d.assessmentId, d]));
    const current = tab || "todo";
    const tabs = [["todo", T.tab_todo], ["sync", T.tab_sync], ["done", T.tab_done]];
    const queued = drafts.filter((d) => d.state === "ready" || d.state === "sending").length;
    let html = `<a class="btn btn-link px-0" href="#/">‹ ${esc(T.back_home)}</a>
      <h1 class="h4">${esc(worklist.village.name)}</h1>
      <p class="small text-body-secondary mb-2">${esc(worklist.round.unit.name)} · ${esc(worklist.round.year)} · ${esc(worklist.standard.code)}</p>
      <button class="btn btn-primary btn-lg w-100 mb-3" data-action="sync" ${queued ? "" : "disabled"}>${esc(fmt(T.sync_button, { count: queued }))}</button>
      <ul class="nav nav-pills nav-fill flex-nowrap mb-3 survey-tabs">`;
    for (const [name, text] of tabs) {
      const n = households.filter((h) => group(byId[h.assessmentId]) === name).length;
      html += `<li class="nav-item"><a class="nav-link ${name === current ? "active" : ""}" href="#/w/${esc(key)}/${name}" data-tab="${name}">${esc(text)} (${n})</a></li>`;
    }
    html += "</ul>";
    const shown = households.filter((h) => group(byId[h.assessmentId]) === current);
    if (!shown.length) html += `<p class="text-body-secondary">${esc(T.nothing_here)}</p>`;
    for (const h of shown) {
      const e = h.entry;
      const draft = byId[h.assessmentId];
      const badge = stateBadge(draft, worklist);
      const target = draft && draft.state === "conflict" ? `#/c/${h.assessmentId}` : `#/s/${h.assessmentId}`;
      html += `<a class="card mb-2 text-decoration-none survey-target" href="${target}" data-household="${esc(e.household.code)}">
        <div class="card-body">
          <div class="d-flex justify-content-between gap-2"><span class="fw-semibold">${esc(e.household.head || "–")}</span>${badge}</div>
          <div class="small text-body-secondary">${esc(e.household.code)} · ${esc(e.household.address)}</div>
          <div class="small">${esc(fmt(T.members_count, { count: e.household.members.length }))}${e.last_assessment ? ` · ${esc(fmt(T.last_result, { year: e.last_assessment.year, status: label(worklist.statuses, e.last_assessment.recorded_status) || "–" }))}` : ""}</div>
        </div></a>`;
    }
    main.innerHTML = html;
  }

  function stateBadge(draft, worklist) {
    if (!draft || draft.state === "todo") return "";
    const kinds = {
      draft: ["text-bg-light border", T.state_draft], ready: ["text-bg-info", T.state_ready],
      sending: ["text-bg-info", T.state_ready], conflict: ["text-bg-danger", T.state_conflict],
      invalid: ["text-bg-warning", T.state_invalid],
    };
    if (draft.state === "synced") {
      return `<span class="badge text-bg-success">${esc(label(worklist.statuses, draft.result.national_status))}</span>`;
    }
    const [cls, text] = kinds[draft.state];
    return `<span class="badge ${cls}">${esc(text)}</span>`;
  }

  function fieldErrors(draft, name) {
    const messages = (draft.errors || {})[name] || [];
    return messages.map((m) => `<div class="invalid-feedback d-block" data-error="${name}">${esc(m)}</div>`).join("");
  }

  function checkboxList(name, items, chosen, extra = () => "") {
    return items.map((item) => `
      <div class="form-check survey-check">
        <input class="form-check-input" type="checkbox" id="${name}-${esc(item.code)}" name="${name}" value="${esc(item.code)}" ${chosen.includes(item.code) ? "checked" : ""}>
        <label class="form-check-label" for="${name}-${esc(item.code)}">${esc(item.label || item.name)}${extra(item)}</label>
      </div>`).join("");
  }

  function textField(draft, form, name, type, attrs = "") {
    const rule = form.fields[name];
    return `<div class="mb-3">
      <label class="form-label fw-semibold" for="f-${name}">${esc(rule.label)}</label>
      <input class="form-control form-control-lg ${(draft.errors || {})[name] ? "is-invalid" : ""}" id="f-${name}" name="${name}" type="${type}" ${attrs} value="${esc(draft.answers[name])}">
      ${rule.help_text ? `<div class="form-text">${esc(rule.help_text)}</div>` : ""}
      ${fieldErrors(draft, name)}</div>`;
  }

  function stepGeneral(draft, worklist, entry) {
    const members = entry.household.members.map((m) => `
      <li class="list-group-item">
        <div class="fw-semibold">${esc(m.full_name)} · ${esc(fmt(T.age, { age: m.age }))}</div>
        <div class="small text-body-secondary">${esc(m.relation)} · ${esc(m.sex)}${m.has_disability ? ` · ${esc(T.disability)}` : ""}</div>
        <div class="small ${m.has_valid_health_insurance ? "" : "text-danger"}">${esc(T.bhyt)}: ${m.health_insurance_expiry ? esc(fmt(T.bhyt_until, { date: day(m.health_insurance_expiry) })) : esc(m.has_valid_health_insurance ? T.bhyt_valid : T.bhyt_none)}</div>
      </li>`).join("");
    return textField(draft, worklist.form, "surveyed_on", "date")
      + textField(draft, worklist.form, "member_count", "number", `inputmode="numeric" min="1" placeholder="${entry.household.members.length}"`)
      + `<h2 class="h6 mt-3">${esc(T.members_on_register)}</h2><ul class="list-group mb-3">${members}</ul>`;
  }

  function stepIncome(draft, worklist) {
    return textField(draft, worklist.form, "income_per_capita", "number", 'inputmode="numeric" min="0" step="1000"')
      + `<p class="small text-body-secondary" id="income-preview">${esc(money(draft.answers.income_per_capita))}</p>`
      + textField(draft, worklist.form, "score_a", "number", 'inputmode="numeric" min="0"');
  }

  function stepDeprivations(draft, worklist, entry) {
    const suggested = Object.fromEntries(entry.suggestions.map((s) => [s.code, s.reason]));
    const dimensions = [];
    for (const indicator of worklist.standard.indicators) {
      let d = dimensions.find((x) => x.name === indicator.dimension);
      if (!d) dimensions.push((d = { name: indicator.dimension, items: [] }));
      d.items.push(indicator);
    }
    let html = `<p class="small">${esc(worklist.form.fields.deprivations.label)}${entry.suggestions.length ? ` · ${esc(fmt(T.suggested_count, { count: entry.suggestions.length }))}` : ""}</p>`;
    for (const d of dimensions) {
      html += `<fieldset class="mb-3"><legend class="h6">${esc(d.name)}</legend>`;
      html += checkboxList("deprivations", d.items, draft.answers.deprivations, (i) => (
        `<div class="small text-body-secondary">${esc(i.help_text)}</div>`
        + (suggested[i.code] ? `<div class="small text-warning-emphasis suggestion">${esc(T.suggested)}: ${esc(suggested[i.code])}</div>` : "")
      ));
      html += "</fieldset>";
    }
    return html + fieldErrors(draft, "deprivations");
  }

  function stepCauses(draft, worklist) {
    const form = worklist.form;
    const options = [`<option value="">${esc(T.none)}</option>`]
      .concat(worklist.causes.map((c) => `<option value="${esc(c.code)}" ${draft.answers.primary_cause === c.code ? "selected" : ""}>${esc(c.label)}</option>`));
    return `<fieldset class="mb-3"><legend class="h6">${esc(form.fields.causes.label)}</legend>
        ${checkboxList("causes", worklist.causes, draft.answers.causes)}${fieldErrors(draft, "causes")}
        <div class="form-text">${esc(form.causes_needed_message)}</div></fieldset>
      <div class="mb-3"><label class="form-label fw-semibold" for="f-primary_cause">${esc(form.fields.primary_cause.label)}</label>
        <select class="form-select form-select-lg ${(draft.errors || {}).primary_cause ? "is-invalid" : ""}" id="f-primary_cause" name="primary_cause">${options.join("")}</select>
        ${fieldErrors(draft, "primary_cause")}</div>
      <fieldset class="mb-3"><legend class="h6">${esc(form.fields.support_needs.label)}</legend>
        ${checkboxList("support_needs", worklist.support_needs, draft.answers.support_needs)}${fieldErrors(draft, "support_needs")}</fieldset>`;
  }

  function summary(draft, worklist, entry) {
    const a = draft.answers;
    const f = worklist.form.fields;
    const names = (list, codes) => codes.map((c) => label(list, c)).join(", ") || "–";
    const indicators = worklist.standard.indicators.map((i) => ({ code: i.code, label: i.name }));
    const rows = [
      [f.surveyed_on.label, day(a.surveyed_on)],
      [f.member_count.label, a.member_count || fmt(T.from_register, { count: entry.household.members.length })],
      [f.income_per_capita.label, money(a.income_per_capita)],
      [f.score_a.label, a.score_a || "–"],
      [f.deprivations.label, `${a.deprivations.length}: ${names(indicators, a.deprivations)}`],
      [f.causes.label, names(worklist.causes, a.causes)],
      [f.primary_cause.label, a.primary_cause ? label(worklist.causes, a.primary_cause) : "–"],
      [f.support_needs.label, names(worklist.support_needs, a.support_needs)],
    ];
    return `<dl class="survey-summary">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>`;
  }

  function resultCard(draft, worklist) {
    const r = draft.result;
    return `<div class="alert alert-success" data-result="${esc(r.national_status)}">
      <div class="fw-semibold">${esc(T.result_title)}</div>
      <div>${esc(T.national)}: <strong>${esc(label(worklist.statuses, r.national_status))}</strong></div>
      ${r.provincial_status ? `<div>${esc(T.provincial)}: <strong>${esc(label(worklist.statuses, r.provincial_status))}</strong></div>` : ""}
      <div class="small">${esc(fmt(T.recorded_by, { who: r.surveyed_by ? r.surveyed_by.name : "–", date: day(r.surveyed_on) }))}</div></div>`;
  }

  function viewSurvey(assessmentId, stepIndex) {
    return exclusive(() => renderSurvey(assessmentId, stepIndex));
  }

  async function renderSurvey(assessmentId, stepIndex) {
    const household = await db.get("households", assessmentId);
    if (!household) return go("#/");
    const worklist = await db.get("worklists", household.worklistKey);
    const draft = await draftFor(household, worklist);
    const entry = household.entry;
    const step = Math.min(Math.max(stepIndex ?? draft.step ?? 0, 0), STEPS.length - 1);
    let html = `<a class="btn btn-link px-0" href="#/w/${esc(worklist.key)}">‹ ${esc(worklist.village.name)}</a>
      <h1 class="h5 mb-0">${esc(entry.household.head || "–")}</h1>
      <p class="small text-body-secondary">${esc(entry.household.code)} · ${esc(entry.household.address)}</p>`;
    if (draft.state === "synced") {
      main.innerHTML = html + resultCard(draft, worklist) + summary(draft, worklist, entry);
      return;
    }
    if (draft.state === "conflict") {
      go(`#/c/${assessmentId}`);
      return;
    }
    if (draft.state === "ready" || draft.state === "sending") {
      html += `<div class="alert alert-info">${esc(T.queued_note)}</div>`;
    }
    if (draft.state === "invalid") html += `<div class="alert alert-warning">${esc(T.invalid_note)}</div>`;
    html += `<ol class="survey-steps">${STEPS.map((s, i) => `<li class="${i === step ? "active" : ""}"><a href="#/s/${assessmentId}/${i}">${i + 1}</a></li>`).join("")}</ol>
      <h2 class="h6">${esc(T[`step_${STEPS[step]}`])}</h2>
      <form id="survey-form" data-assessment="${assessmentId}" novalidate>`;
    if (step === 0) html += stepGeneral(draft, worklist, entry);
    if (step === 1) html += stepIncome(draft, worklist);
    if (step === 2) html += stepDeprivations(draft, worklist, entry);
    if (step === 3) html += stepCauses(draft, worklist);
    if (step === 4) {
      const errors = validate(draft.answers, worklist.form);
      html += summary(draft, worklist, entry);
      const all = Object.entries({ ...errors, ...(draft.state === "invalid" ? draft.errors : {}) });
      if (all.length) {
        html += `<div class="alert alert-danger"><ul class="mb-0">${all.map(([name, ms]) => `<li data-error="${esc(name)}">${esc((worklist.form.fields[name] || { label: "" }).label)}: ${esc(ms.join(" "))}</li>`).join("")}</ul></div>`;
      }
    }
    html += "</form>";
    html += `<div class="survey-nav">
      ${step > 0 ? `<a class="btn btn-outline-secondary btn-lg" href="#/s/${assessmentId}/${step - 1}">${esc(T.previous)}</a>` : "<span></span>"}
      ${step < STEPS.length - 1
    ? `<a class="btn btn-primary btn-lg" href="#/s/${assessmentId}/${step + 1}" data-action="next">${esc(T.next)}</a>`
    : `<button class="btn btn-success btn-lg" data-action="ready" data-assessment="${assessmentId}">${esc(T.mark_ready)}</button>`}
      </div>
      <p class="small text-body-secondary mt-2" id="saved-note">${esc(T.saved_locally)}</p>`;
    main.innerHTML = html;
    if (draft.step !== step) {
      draft.step = step;
      if (draft.state === "todo") draft.state = "draft";
      await saveDraft(draft);
    }
  }

  function shown(value) {
    if (Array.isArray(value)) return value.length ? value.join(", ") : "–";
    return value === null || value === undefined || value === "" ? "–" : String(value);
  }

  function conflictValue(name, value, worklist) {
    if (value === null || value === undefined || value === "") return "–";
    const indicators = worklist.standard.indicators.map((i) => ({ code: i.code, label: i.name }));
    const lists = { deprivations: indicators, causes: worklist.causes, support_needs: worklist.support_needs, primary_cause: worklist.causes };
    if (lists[name]) {
      const codes = Array.isArray(value) ? value : [value];
      return codes.map((c) => label(lists[name], c)).join(", ") || "–";
    }
    if (name === "income_per_capita") return money(value);
    if (name === "surveyed_on") return day(value);
    return shown(value);
  }

  async function viewConflict(assessmentId) {
    const household = await db.get("households", assessmentId);
    const draft = await db.get("drafts", assessmentId);
    if (!household || !draft || draft.state !== "conflict") return go(`#/s/${assessmentId}`);
    const worklist = await db.get("worklists", household.worklistKey);
    const c = draft.conflict;
    let html = `<a class="btn btn-link px-0" href="#/w/${esc(worklist.key)}/sync">‹ ${esc(worklist.village.name)}</a>
      <h1 class="h5">${esc(household.entry.household.head)}</h1>
      <div class="alert alert-danger">${esc(c.detail)}
        <div class="small mt-1">${esc(fmt(T.changed_by, { who: c.changed_by || "–", when: c.changed_at ? new Date(c.changed_at).toLocaleString("vi-VN") : "–" }))}</div>
        ${c.household_changes.length ? `<div class="small">${esc(T.household_changed)}: ${esc(c.household_changes.map((x) => x.label).join(", "))}</div>` : ""}</div>
      <form id="conflict-form" data-assessment="${assessmentId}">`;
    if (!c.fields.length) html += `<p>${esc(T.no_field_conflicts)}</p>`;
    for (const f of c.fields) {
      html += `<fieldset class="card mb-2 conflict-field" data-field="${esc(f.field)}"><div class="card-body">
        <legend class="h6">${esc(f.label)}</legend>
        <div class="form-check survey-check"><input class="form-check-input" type="radio" name="pick-${esc(f.field)}" id="mine-${esc(f.field)}" value="mine">
          <label class="form-check-label" for="mine-${esc(f.field)}">${esc(T.keep_mine)}: <strong>${esc(conflictValue(f.field, f.mine, worklist))}</strong></label></div>
        <div class="form-check survey-check"><input class="form-check-input" type="radio" name="pick-${esc(f.field)}" id="theirs-${esc(f.field)}" value="theirs">
          <label class="form-check-label" for="theirs-${esc(f.field)}">${esc(T.keep_theirs)}: <strong>${esc(conflictValue(f.field, f.theirs, worklist))}</strong></label></div>
      </div></fieldset>`;
    }
    html += `<div id="conflict-error"></div>
      <button class="btn btn-primary btn-lg w-100" data-action="resolve" data-assessment="${assessmentId}">${esc(T.resolve_button)}</button></form>`;
    main.innerHTML = html;
  }

  // --- Events ---------------------------------------------------------------------------

  function readField(form, name) {
    const inputs = [...form.querySelectorAll(`[name="${name}"]`)];
    if (!inputs.length) return undefined;
    if (inputs[0].type === "checkbox") return inputs.filter((i) => i.checked).map((i) => i.value);
    return inputs[0].value;
  }

  // Every change is saved at once: a draft survives a reload or a reboot.
  function onInput(event) {
    const form = event.target.closest("#survey-form");
    if (!form) return undefined;
    const name = event.target.name;
    const value = readField(form, name);
    if (value === undefined) return undefined;
    return exclusive(() => saveAnswer(Number(form.dataset.assessment), name, value));
  }

  async function saveAnswer(assessmentId, name, value) {
    const household = await db.get("households", assessmentId);
    const worklist = await db.get("worklists", household.worklistKey);
    const draft = await draftFor(household, worklist);
    draft.answers[name] = value;
    if (draft.state === "todo" || draft.state === "ready") draft.state = "draft";
    if (draft.errors) delete draft.errors[name];
    await saveDraft(draft);
    const preview = document.getElementById("income-preview");
    if (name === "income_per_capita" && preview) preview.textContent = money(value);
    const note = document.getElementById("saved-note");
    if (note) note.textContent = fmt(T.saved_at, { time: new Date().toLocaleTimeString("vi-VN") });
  }

  async function markReady(assessmentId) {
    const household = await db.get("households", assessmentId);
    const worklist = await db.get("worklists", household.worklistKey);
    const draft = await draftFor(household, worklist);
    const errors = validate(draft.answers, worklist.form);
    if (Object.keys(errors).length) {
      draft.errors = errors;
      draft.state = "draft";
      await saveDraft(draft);
      flash(T.fix_errors, "danger");
      render();
      return;
    }
    draft.errors = {};
    draft.state = "ready";
    await saveDraft(draft);
    flash(navigator.onLine ? T.queued_online : T.queued_offline, "success");
    go(`#/w/${worklist.key}`);
    if (navigator.onLine) syncAll();
  }

  async function resolve(assessmentId) {
    const draft = await db.get("drafts", assessmentId);
    const form = document.getElementById("conflict-form");
    const missing = [];
    for (const f of draft.conflict.fields) {
      const picked = form.querySelector(`[name="pick-${f.field}"]:checked`);
      if (!picked) missing.push(f.label);
      else if (picked.value === "theirs") {
        const theirs = draft.conflict.theirs[f.field];
        draft.answers[f.field] = Array.isArray(theirs) ? [...theirs] : (theirs === null ? "" : String(theirs));
      }
    }
    if (missing.length) {
      document.getElementById("conflict-error").innerHTML = `<div class="alert alert-danger">${esc(fmt(T.choose_each, { fields: missing.join(", ") }))}</div>`;
      return;
    }
    // Nothing was recorded under this key: the same key goes with the resolved survey.
    draft.baseVersion = draft.conflict.current_version;
    draft.baseHouseholdVersion = draft.conflict.household_version;
    draft.conflict = null;
    const household = await db.get("households", assessmentId);
    const worklist = await db.get("worklists", household.worklistKey);
    const errors = validate(draft.answers, worklist.form);
    draft.errors = errors;
    draft.state = Object.keys(errors).length ? "draft" : "ready";
    await saveDraft(draft);
    if (draft.state === "draft") return go(`#/s/${assessmentId}/4`);
    go(`#/w/${worklist.key}/sync`);
    if (navigator.onLine) syncAll();
  }

  main.addEventListener("input", onInput);
  main.addEventListener("change", onInput);
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "sync") {
      event.preventDefault();
      button.disabled = true;
      await syncAll();
    } else if (action === "download") {
      event.preventDefault();
      button.disabled = true;
      try {
        const worklist = await download(document.getElementById("round").value, document.getElementById("village").value);
        flash(fmt(T.downloaded, { count: worklist.assessmentIds.length, village: worklist.village.name }), "success");
        go(`#/w/${worklist.key}`);
      } catch (error) {
        flash(`${T.download_failed} ${error.message}`, "danger");
        button.disabled = false;
      }
    } else if (action === "ready") {
      event.preventDefault();
      await exclusive(() => markReady(Number(button.dataset.assessment)));
    } else if (action === "resolve") {
      event.preventDefault();
      await exclusive(() => resolve(Number(button.dataset.assessment)));
    }
  });

  function go(hash) {
    if (location.hash === hash) render();
    else location.hash = hash;
  }

  async function render() {
    const parts = location.hash.replace(/^#\/?/, "").split("/");
    if (parts[0] === "w") return viewWorklist(parts[1], parts[2]);
    if (parts[0] === "s") return viewSurvey(Number(parts[1]), parts[2] === undefined ? undefined : Number(parts[2]));
    if (parts[0] === "c") return viewConflict(Number(parts[1]));
    return viewHome();
  }

  window.addEventListener("hashchange", () => {
    if (!flashSticky) clearFlash();
    flashSticky = false;
    render();
  });
  window.addEventListener("online", () => { showOnline(); syncAll(); });
  window.addEventListener("offline", showOnline);

  async function start() {
    showOnline();
    // A survey in flight when the app was closed goes back to the queue (same key).
    for (const draft of await db.all("drafts", "state", "sending")) {
      draft.state = "ready";
      await saveDraft(draft);
    }
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(CONFIG.service_worker, { scope: CONFIG.scope }).then(() => {
        document.body.dataset.worker = "registered";
      });
    }
    await render();
    document.body.dataset.ready = "1";
  }

  start();
})();
