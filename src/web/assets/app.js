// gocua supervisor page. Plain JavaScript, no framework and no build step: the binary serves
// this file as written. Every number on the page comes from the public API, so the page can
// never show something a client of the API could not see.
'use strict';

const TEXT = {
  vi: {
    lang_switch: 'English',
    logout: 'Đăng xuất',
    tab_progress: 'Tiến độ',
    tab_review: 'Duyệt hồ sơ',
    tab_certify: 'Chứng nhận số liệu',
    tab_households: 'Hộ gia đình số',
    households_title: 'Gia đình số – Khu dân cư số',
    households_count: 'Hộ đang có',
    visited: 'Đã đến',
    reached: 'Đã hướng dẫn',
    families: 'Gia đình số',
    family_share: 'Tỉ lệ (%)',
    area: 'Khu dân cư số',
    areas: 'Số khu dân cư số',
    area_yes: 'Đạt',
    area_no: 'Chưa đạt',
    not_visited: 'Hộ chưa được đến (30 ngày qua)',
    everyone_visited: 'Mọi hộ đã được đến.',
    no_households: 'Chưa có hộ gia đình nào.',
    label: 'Nhãn',
    cert_month: 'Tháng',
    month_label: 'tháng',
    cert_title: 'Chứng nhận số liệu',
    cert_figures: 'Số liệu của xã trong tháng',
    cert_button: 'Chứng nhận số liệu',
    cert_done: 'Đã gửi chứng nhận, chờ tỉnh duyệt.',
    cert_none: 'Chưa chứng nhận',
    cert_statuses: { submitted: 'Chờ tỉnh duyệt', accepted: 'Đã chấp nhận, khoá sổ', returned: 'Tỉnh trả lại', reopened: 'Đã mở lại' },
    cert_note: 'Ghi chú gửi tỉnh',
    cert_decision_note: 'Ghi chú của tỉnh',
    cert_reopen_reason: 'Lý do mở lại',
    cert_accept: 'Chấp nhận',
    cert_return: 'Trả lại',
    cert_accepted: 'Đã chấp nhận số liệu, kỳ đã khoá sổ.',
    cert_returned: 'Đã trả lại số liệu cho xã.',
    cert_return_note: 'Cần ghi chú khi trả lại.',
    cert_drift: 'Khác số liệu hiện tại',
    cert_same: 'Trùng khớp số liệu hiện tại',
    cert_missing: 'Chưa chứng nhận tháng này',
    cert_unit: 'Xã/phường',
    cert_status: 'Trạng thái',
    cert_certified: 'Số liệu đã chứng nhận',
    cert_actions: 'Xử lý',
    cert_no_unit: 'Trang này dành cho giám sát viên cấp xã và cấp tỉnh.',
    login_title: 'Đăng nhập',
    phone: 'Số điện thoại',
    password: 'Mật khẩu',
    login: 'Đăng nhập',
    login_failed: 'Sai số điện thoại hoặc mật khẩu.',
    too_many: 'Thử quá nhiều lần. Vui lòng đợi rồi thử lại.',
    session_over: 'Phiên đăng nhập đã hết. Vui lòng đăng nhập lại.',
    loading: 'Đang tải…',
    campaign: 'Chiến dịch',
    no_campaigns: 'Chưa có chiến dịch nào trong địa bàn.',
    open: 'đang diễn ra',
    closed: 'đã kết thúc',
    upcoming: 'sắp diễn ra',
    progress: 'Tiến độ theo địa bàn',
    hamlets: 'Theo thôn, tổ dân phố',
    hamlet_map: 'Bản đồ',
    hamlet: 'Thôn, tổ dân phố',
    no_hamlet: '(không ghi thôn, tổ)',
    hamlet_closed: 'đã sáp nhập hoặc chia tách',
    map_current: 'Theo bản đồ hiện nay',
    map_as_recorded: 'Theo mã khi ghi',
    add_hamlet: 'Thêm thôn, tổ dân phố',
    hamlet_name: 'Tên',
    hamlet_kind: 'Loại',
    add: 'Thêm',
    rename: 'Đổi tên',
    new_name: 'Tên mới',
    hamlet_added: 'Đã thêm',
    hamlet_renamed: 'Đã đổi tên',
    no_hamlets: 'Xã/phường chưa có thôn, tổ dân phố nào.',
    hamlet_kinds: { thon: 'Thôn', ap: 'Ấp', ban: 'Bản', buon: 'Buôn', soc: 'Sóc', 'to-dan-pho': 'Tổ dân phố', 'khu-pho': 'Khu phố', khom: 'Khóm', 'khu-dan-cu': 'Khu dân cư' },
    sort: 'Sắp xếp',
    sort_behind: 'Chậm nhất trước',
    sort_code: 'Theo mã đơn vị',
    expected_mark: 'Vạch đen: mức cần đạt đến hôm nay',
    show_untargeted: 'Hiện cả đơn vị chưa có chỉ tiêu',
    no_target: 'chưa có chỉ tiêu',
    no_targets: 'Chiến dịch chưa có chỉ tiêu trong phạm vi của bạn.',
    of: 'trên',
    target_short: 'mục tiêu',
    target_of: 'của',
    bases: {
      residents: 'người dân', adults: 'người trưởng thành',
      aged_15_plus: 'người từ 15 tuổi trở lên', households: 'hộ gia đình',
    },
    ranking: 'Xếp hạng xã/phường theo tỷ lệ bao phủ',
    ranking_metric: 'Chỉ số',
    ranking_base: 'Tính trên',
    rank: 'Hạng',
    unit: 'Xã/phường',
    population_used: 'Dân số dùng để tính',
    coverage: 'Tỷ lệ bao phủ',
    figures_missing: 'Chưa có số liệu dân số, không xếp hạng',
    no_figures: 'Chưa có xã/phường nào có số liệu dân số.',
    daily: 'Hồ sơ mỗi ngày (30 ngày qua)',
    teams: 'Các tổ',
    team: 'Tổ',
    follow_ups: 'Cần quay lại',
    anomalies: 'Dấu hiệu bất thường (30 ngày qua)',
    no_anomalies: 'Không có dấu hiệu bất thường.',
    records_behind: 'Hồ sơ liên quan',
    exports: 'Tải về (CSV)',
    export_period: 'Trong thời gian chiến dịch',
    summary_csv: 'Tổng hợp',
    by_unit_csv: 'Theo đơn vị',
    by_team_csv: 'Theo tổ',
    by_day_csv: 'Theo ngày',
    visits_csv: 'Danh sách thăm hộ',
    assists_csv: 'Danh sách hỗ trợ VNeID',
    signatures_csv: 'Danh sách chữ ký số',
    sessions_csv: 'Danh sách lớp học, điểm hỗ trợ',
    format: 'Hình thức',
    attendees: 'Số người tham dự',
    helped: 'Được hỗ trợ trực tiếp',
    minutes: 'phút',
    review_title: 'Duyệt hồ sơ của tổ',
    no_teams: 'Không có tổ nào để duyệt.',
    kind: 'Loại hồ sơ',
    status: 'Trạng thái',
    nothing_to_review: 'Không có hồ sơ nào.',
    note: 'Ghi chú',
    note_needed: 'Cần ghi chú khi từ chối.',
    approve: 'Duyệt',
    flag: 'Gắn cờ',
    reject: 'Từ chối',
    done_approved: 'Đã duyệt hồ sơ.',
    done_flagged: 'Đã gắn cờ hồ sơ.',
    done_rejected: 'Đã từ chối hồ sơ.',
    more: 'Xem thêm',
    back: '← Quay lại',
    record: 'Hồ sơ',
    occurred_at: 'Thời điểm',
    hamlet: 'Thôn/tổ dân phố',
    household: 'Hộ',
    outcome: 'Kết quả',
    people: 'Số người được hướng dẫn',
    action: 'Thao tác',
    result: 'Kết quả',
    provider: 'Nhà cung cấp',
    review_note: 'Ghi chú duyệt',
    voided: 'Đã huỷ',
    error: 'Có lỗi',
    as_of: 'Cập nhật lúc',
    metrics: {
      visits: 'Lượt thăm hộ',
      households_guided: 'Hộ được hướng dẫn',
      people_guided: 'Người được hướng dẫn',
      vneid_installs: 'Cài đặt VNeID',
      vneid_level2_activations: 'Kích hoạt VNeID mức 2',
      unique_citizens_assisted: 'Công dân được hỗ trợ',
      signatures_submitted: 'Chữ ký số đã nộp',
      signatures_issued: 'Chữ ký số đã cấp',
      active_volunteers: 'Tình nguyện viên hoạt động',
      digital_skills_certified: 'Chứng nhận kỹ năng số',
      training_sessions: 'Lớp học, điểm hỗ trợ',
      training_attendees: 'Lượt người tham dự lớp',
      households_reached: 'Hộ đã được hướng dẫn',
      digital_families: 'Gia đình số',
    },
    statuses: { ahead: 'Vượt tiến độ', on_track: 'Đúng tiến độ', behind: 'Chậm tiến độ' },
    review: { pending: 'Chờ duyệt', approved: 'Đã duyệt', flagged: 'Gắn cờ', rejected: 'Từ chối' },
    kinds: { visit: 'Thăm hộ', vneid_assist: 'Hỗ trợ VNeID', signature_registration: 'Chữ ký số', training_session: 'Lớp học, điểm hỗ trợ' },
    roles: {
      admin: 'Quản trị', province_supervisor: 'Giám sát tỉnh',
      commune_supervisor: 'Giám sát xã', volunteer: 'Tình nguyện viên',
    },
    reasons: {
      too_many_per_hour: 'Quá nhiều hồ sơ trong một giờ',
      many_households_one_spot: 'Nhiều hộ tại cùng một điểm',
      far_from_commune: 'Xa địa bàn xã',
      many_duplicate_flags: 'Nhiều hồ sơ trùng công dân',
      overlapping_sessions: 'Các lớp học trùng giờ nhau',
      many_attendees: 'Lớp học đông bất thường so với địa bàn',
    },
    values: {
      guided: 'Đã hướng dẫn', not_home: 'Vắng nhà', declined: 'Từ chối', follow_up: 'Cần quay lại',
      install: 'Cài đặt', register_level1: 'Đăng ký mức 1', activate_level2: 'Kích hoạt mức 2',
      digital_skills_certificate: 'Chứng nhận Bình dân học vụ số',
      success: 'Thành công', pending: 'Đang chờ', failed: 'Không thành công',
      submitted: 'Đã nộp', issued: 'Đã cấp',
      class: 'Lớp học', support_point: 'Điểm hỗ trợ', online: 'Trực tuyến',
    },
  },
  en: {
    lang_switch: 'Tiếng Việt',
    logout: 'Log out',
    tab_progress: 'Progress',
    tab_review: 'Review',
    tab_certify: 'Certified figures',
    tab_households: 'Digital families',
    households_title: 'Digital Family – Digital Residential Area',
    households_count: 'Households',
    visited: 'Visited',
    reached: 'Reached',
    families: 'Digital families',
    family_share: 'Share (%)',
    area: 'Digital residential area',
    areas: 'Digital residential areas',
    area_yes: 'Yes',
    area_no: 'Not yet',
    not_visited: 'Households not visited (last 30 days)',
    everyone_visited: 'Every household has been visited.',
    no_households: 'No households yet.',
    label: 'Label',
    cert_month: 'Month',
    month_label: 'month',
    cert_title: 'Certify the figures',
    cert_figures: "The commune's figures for the month",
    cert_button: 'Certify the figures',
    cert_done: 'Certified; waiting for the province.',
    cert_none: 'Not certified',
    cert_statuses: { submitted: 'Waiting for the province', accepted: 'Accepted, locked', returned: 'Returned', reopened: 'Reopened' },
    cert_note: 'Note to the province',
    cert_decision_note: "Province's note",
    cert_reopen_reason: 'Why reopened',
    cert_accept: 'Accept',
    cert_return: 'Return',
    cert_accepted: 'Accepted; the period is locked.',
    cert_returned: 'Returned to the commune.',
    cert_return_note: 'A note is needed to return.',
    cert_drift: 'Differs from the figures now',
    cert_same: 'Matches the figures now',
    cert_missing: 'Not certified this month',
    cert_unit: 'Commune',
    cert_status: 'Status',
    cert_certified: 'Certified figures',
    cert_actions: 'Decision',
    cert_no_unit: 'This page is for commune and province supervisors.',
    login_title: 'Log in',
    phone: 'Phone number',
    password: 'Password',
    login: 'Log in',
    login_failed: 'Wrong phone number or password.',
    too_many: 'Too many attempts. Please wait and try again.',
    session_over: 'Your session has ended. Please log in again.',
    loading: 'Loading…',
    campaign: 'Campaign',
    no_campaigns: 'No campaigns in your area yet.',
    open: 'open',
    closed: 'ended',
    upcoming: 'upcoming',
    progress: 'Progress by area',
    hamlets: 'By hamlet and residential group',
    hamlet_map: 'Map',
    hamlet: 'Hamlet or residential group',
    no_hamlet: '(no hamlet given)',
    hamlet_closed: 'merged or split',
    map_current: "On today's map",
    map_as_recorded: 'As recorded',
    add_hamlet: 'Add a hamlet or residential group',
    hamlet_name: 'Name',
    hamlet_kind: 'Kind',
    add: 'Add',
    rename: 'Rename',
    new_name: 'New name',
    hamlet_added: 'Added',
    hamlet_renamed: 'Renamed',
    no_hamlets: 'This commune has no hamlets or residential groups yet.',
    hamlet_kinds: { thon: 'Village (thôn)', ap: 'Hamlet (ấp)', ban: 'Village (bản)', buon: 'Village (buôn)', soc: 'Village (sóc)', 'to-dan-pho': 'Residential group (tổ dân phố)', 'khu-pho': 'Quarter (khu phố)', khom: 'Quarter (khóm)', 'khu-dan-cu': 'Residential area (khu dân cư)' },
    sort: 'Sort',
    sort_behind: 'Most behind first',
    sort_code: 'By unit code',
    expected_mark: 'Black mark: where it should be by today',
    show_untargeted: 'Also show units without targets',
    no_target: 'no target',
    no_targets: 'This campaign has no targets in your scope yet.',
    of: 'of',
    target_short: 'target',
    target_of: 'of',
    bases: {
      residents: 'residents', adults: 'adults',
      aged_15_plus: 'people aged 15 and over', households: 'households',
    },
    ranking: 'Communes ranked by coverage',
    ranking_metric: 'Metric',
    ranking_base: 'Share of',
    rank: 'Rank',
    unit: 'Commune',
    population_used: 'Population used',
    coverage: 'Coverage',
    figures_missing: 'No population figures yet, not ranked',
    no_figures: 'No commune has population figures yet.',
    daily: 'Records per day (last 30 days)',
    teams: 'Teams',
    team: 'Team',
    follow_ups: 'Follow-ups',
    anomalies: 'Anomalies (last 30 days)',
    no_anomalies: 'Nothing looks unusual.',
    records_behind: 'Records behind it',
    exports: 'Downloads (CSV)',
    export_period: 'Over the campaign period',
    summary_csv: 'Summary',
    by_unit_csv: 'By unit',
    by_team_csv: 'By team',
    by_day_csv: 'By day',
    visits_csv: 'Visits',
    assists_csv: 'VNeID assists',
    signatures_csv: 'Signature registrations',
    sessions_csv: 'Training sessions',
    format: 'Format',
    attendees: 'Attendees',
    helped: 'Helped one to one',
    minutes: 'min',
    review_title: 'Review a team\'s records',
    no_teams: 'No teams to review.',
    kind: 'Record kind',
    status: 'Status',
    nothing_to_review: 'No records.',
    note: 'Note',
    note_needed: 'A note is needed to reject.',
    approve: 'Approve',
    flag: 'Flag',
    reject: 'Reject',
    done_approved: 'Record approved.',
    done_flagged: 'Record flagged.',
    done_rejected: 'Record rejected.',
    more: 'Show more',
    back: '← Back',
    record: 'Record',
    occurred_at: 'When',
    hamlet: 'Hamlet',
    household: 'Household',
    outcome: 'Outcome',
    people: 'People guided',
    action: 'Action',
    result: 'Result',
    provider: 'Provider',
    review_note: 'Review note',
    voided: 'Voided',
    error: 'Something went wrong',
    as_of: 'As of',
    metrics: {
      visits: 'Visits',
      households_guided: 'Households guided',
      people_guided: 'People guided',
      vneid_installs: 'VNeID installs',
      vneid_level2_activations: 'VNeID level 2 activations',
      unique_citizens_assisted: 'Citizens assisted',
      signatures_submitted: 'Signatures submitted',
      signatures_issued: 'Signatures issued',
      active_volunteers: 'Active volunteers',
      digital_skills_certified: 'Digital-skills certificates',
      training_sessions: 'Classes and support points',
      training_attendees: 'Class attendees',
      households_reached: 'Households reached',
      digital_families: 'Digital families',
    },
    statuses: { ahead: 'Ahead', on_track: 'On track', behind: 'Behind' },
    review: { pending: 'Pending', approved: 'Approved', flagged: 'Flagged', rejected: 'Rejected' },
    kinds: { visit: 'Visit', vneid_assist: 'VNeID assist', signature_registration: 'Signature', training_session: 'Class or support point' },
    roles: {
      admin: 'Administrator', province_supervisor: 'Province supervisor',
      commune_supervisor: 'Commune supervisor', volunteer: 'Volunteer',
    },
    reasons: {
      too_many_per_hour: 'Too many records in one hour',
      many_households_one_spot: 'Many households at one spot',
      far_from_commune: 'Far from the commune',
      many_duplicate_flags: 'Many duplicate citizens',
      overlapping_sessions: 'Sessions that overlap in time',
      many_attendees: 'Sessions far larger than usual here',
    },
    values: {
      guided: 'Guided', not_home: 'Not home', declined: 'Declined', follow_up: 'Follow up',
      install: 'Install', register_level1: 'Level 1 registration', activate_level2: 'Level 2 activation',
      digital_skills_certificate: 'Digital-skills certificate',
      success: 'Success', pending: 'Pending', failed: 'Failed',
      submitted: 'Submitted', issued: 'Issued',
      class: 'Class', support_point: 'Support point', online: 'Online',
    },
  },
};

const KINDS = [
  { kind: 'visit', path: 'visits', csv: 'visits_csv' },
  { kind: 'vneid_assist', path: 'vneid-assists', csv: 'assists_csv' },
  { kind: 'signature_registration', path: 'signature-registrations', csv: 'signatures_csv' },
  { kind: 'training_session', path: 'training-sessions', csv: 'sessions_csv' },
];
const SERIES = [
  { key: 'visits', color: '#b3261e', value: (m) => m.visits },
  { key: 'vneid', color: '#1f5fae', value: (m) => m.vneid_installs + m.vneid_level2_activations },
  { key: 'signatures', color: '#1b7f3b', value: (m) => m.signatures_submitted },
];
const LIST_MAX = 500;

let lang = localStorage.getItem('gocua.lang') === 'en' ? 'en' : 'vi';
let session = JSON.parse(sessionStorage.getItem('gocua.session') || 'null');
let refreshing = null;
let refreshTimer = null;
const view = {
  campaignId: null, sort: 'behind', untargeted: false, team: null, kind: 'visit', status: 'pending',
  rankMetric: null, rankBase: null, month: null,
};
const BASES = ['adults', 'aged_15_plus', 'residents', 'households'];

function t(key) {
  return key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), TEXT[lang]) ?? key;
}

// Elements are built with textContent only, so names typed by users can never become markup.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  el.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(el, attrs);
  el.append(...children.flat(Infinity).filter((c) => c != null));
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    // Through the CSSOM: the page's policy forbids style attributes in markup.
    else if (k === 'style') el.style.cssText = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
}

// Each render owns the page until the next one starts. Views load asynchronously, so an
// older render that finishes late (a click made while it was loading) must not paint over
// the newer one: it sees that it is stale and stops.
let renders = 0;
function claimScreen() {
  const mine = ++renders;
  return {
    get stale() { return mine !== renders; },
    show(...nodes) { if (mine === renders) document.getElementById('main').replaceChildren(...nodes.filter((n) => n != null)); },
  };
}
const fmt = (n) => Number(n).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB');
// A share with one decimal, as the API gives it: "38,2" in Vietnamese, "38.2" in English.
const fmt1 = (n) => Number(n).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

// The record day is the local date in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
function today() {
  return new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
}

function addDays(day, n) {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function localTime(instant) {
  return new Date(instant).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'short',
  });
}

function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}

class Problem extends Error {
  constructor(status, body) {
    const fields = (body && body.errors || []).map((e) => `${e.field}: ${e.message}`);
    super([body && (body.detail || body.title), ...fields].filter(Boolean).join(' · ') || `HTTP ${status}`);
    this.status = status;
  }
}

// ---- session --------------------------------------------------------------------------

function keepSession(tokens) {
  session = {
    access: tokens.access_token,
    refresh: tokens.refresh_token,
    expiresAt: Date.now() + tokens.expires_in * 1000,
    user: session && session.user,
  };
  sessionStorage.setItem('gocua.session', JSON.stringify(session));
  scheduleRefresh();
}

// Refresh a minute before the access token expires, so a page left open keeps working.
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!session) return;
  const wait = Math.max(5000, session.expiresAt - Date.now() - 60000);
  refreshTimer = setTimeout(() => refresh().catch(() => {}), wait);
}

function refresh() {
  if (!refreshing) {
    refreshing = fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: session.refresh }),
    }).then(async (res) => {
      if (!res.ok) {
        endSession();
        toast(t('session_over'));
        throw new Problem(res.status, null);
      }
      keepSession(await res.json());
    }).finally(() => { refreshing = null; });
  }
  return refreshing;
}

function endSession() {
  clearTimeout(refreshTimer);
  session = null;
  sessionStorage.removeItem('gocua.session');
  render();
}

async function logout() {
  const token = session && session.refresh;
  endSession();
  if (token) {
    await fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: token }),
    }).catch(() => {});
  }
}

async function api(path, options = {}) {
  if (!session) throw new Problem(401, null);
  if (Date.now() > session.expiresAt - 30000) await refresh();
  const send = () => fetch('/api/v1' + path, {
    method: options.method || 'GET',
    headers: {
      Authorization: 'Bearer ' + session.access,
      Accept: options.csv ? 'text/csv' : 'application/json',
      'Accept-Language': lang,
      ...(options.body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  let res = await send();
  if (res.status === 401) {
    await refresh();
    res = await send();
  }
  if (!res.ok) throw new Problem(res.status, await res.json().catch(() => null));
  if (options.csv) return res.blob();
  return res.status === 204 ? null : res.json();
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

// Every page of a list, for counts that must be exact (the API has no count endpoint).
async function listAll(path, params) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(path + query({ ...params, limit: LIST_MAX, cursor }));
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

// ---- layout ---------------------------------------------------------------------------

function render() {
  document.documentElement.lang = lang;
  document.getElementById('lang').textContent = t('lang_switch');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const logged = Boolean(session && session.user);
  document.getElementById('logout').hidden = !logged;
  document.getElementById('tabs').hidden = !logged;
  document.querySelector('#tabs a[data-tab=certify]').hidden = !logged || session.user.role === 'volunteer';
  const who = document.getElementById('who');
  who.textContent = logged
    ? `${session.user.full_name} · ${t('roles.' + session.user.role)}${session.user.unit ? ' · ' + session.user.unit.name : ''}`
    : '';
  const screen = claimScreen();
  if (!logged) return renderLogin(screen);
  const [, page, ...rest] = (location.hash || '#/progress').split('/');
  for (const a of document.querySelectorAll('#tabs a')) {
    a.classList.toggle('active', a.dataset.tab === page || (page === 'record' && a.dataset.tab === 'progress'));
  }
  if (page === 'review') return renderReview(screen);
  if (page === 'certify') return renderCertify(screen);
  if (page === 'households') return renderHouseholds(screen);
  if (page === 'record' && rest.length === 2) return renderRecord(screen, rest[0], decodeURIComponent(rest[1]));
  return renderProgress(screen);
}

function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', { text: title }) : null, ...children);
}

// A card that loads on its own, so one failing call does not blank the page.
function loadingCard(title, testid, load) {
  const body = h('div', { 'data-testid': testid }, h('p', { class: 'muted', text: t('loading') }));
  load().then((content) => body.replaceChildren(...[content].flat()))
    .catch((e) => body.replaceChildren(h('p', { class: 'error', text: `${t('error')}: ${e.message}` })));
  return card(title, body);
}

function renderLogin(screen) {
  const error = h('p', { class: 'error', role: 'alert' });
  const phone = h('input', { id: 'phone', name: 'phone', type: 'tel', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card login', 'data-testid': 'login' },
    h('h1', { text: t('login_title') }),
    h('label', { for: 'phone', text: t('phone') }), phone,
    h('label', { for: 'password', text: t('password') }), password,
    h('div', { class: 'btns' }, h('button', { class: 'btn', type: 'submit', text: t('login') })),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const res = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept-Language': lang },
      body: JSON.stringify({ phone: phone.value, password: password.value }),
    });
    if (!res.ok) {
      error.textContent = res.status === 429 ? t('too_many') : t('login_failed');
      return;
    }
    const tokens = await res.json();
    keepSession(tokens);
    session.user = await api('/me');
    sessionStorage.setItem('gocua.session', JSON.stringify(session));
    // A changed hash renders through its hashchange event; an unchanged one would not.
    if (location.hash === '#/progress') render();
    else location.hash = '#/progress';
  });
  screen.show(form);
  phone.focus();
}

// ---- progress -------------------------------------------------------------------------

async function renderProgress(screen) {
  screen.show(h('p', { class: 'muted', text: t('loading') }));
  let campaigns;
  try {
    campaigns = (await api('/campaigns' + query({ limit: LIST_MAX }))).items;
  } catch (e) {
    return screen.show(card(null, h('p', { class: 'error', text: e.message })));
  }
  if (screen.stale) return;
  const day = today();
  const phase = (c) => (c.ends_on < day ? 'closed' : c.starts_on > day ? 'upcoming' : 'open');
  campaigns.sort((a, b) => (phase(b) === 'open') - (phase(a) === 'open'));
  if (!campaigns.length) return screen.show(card(null, h('p', { text: t('no_campaigns') })));
  const campaign = campaigns.find((c) => c.id === view.campaignId) || campaigns[0];
  view.campaignId = campaign.id;
  const picker = h('select', { id: 'campaign', 'data-testid': 'campaign', onchange: (e) => { view.campaignId = e.target.value; render(); } },
    campaigns.map((c) => h('option', { value: c.id, selected: c.id === campaign.id, text: `${c.name} (${t(phase(c))})` })));
  const user = session.user;
  const unit = user.unit_code || campaign.unit_code;
  const periodEnd = day < campaign.ends_on ? day : campaign.ends_on;
  const supervisor = user.role !== 'volunteer';
  screen.show(
    card(null, h('label', { for: 'campaign', text: t('campaign') }), picker,
      h('p', { class: 'muted', text: `${campaign.starts_on} → ${campaign.ends_on}` })),
    loadingCard(t('progress'), 'progress', () => progressView(campaign)),
    /^\d{5}$/.test(unit) ? loadingCard(t('hamlets'), 'hamlets', () => hamletsView(unit, campaign.starts_on, periodEnd)) : null,
    h('div', { class: 'grid' },
      loadingCard(t('daily'), 'daily', () => dailyView(unit, day)),
      loadingCard(t('teams'), 'teams', () => teamsView(unit, campaign.starts_on, periodEnd))),
    /^\d{2}$/.test(unit) && supervisor
      ? loadingCard(t('ranking'), 'ranking', () => rankingView(campaign, unit, campaign.starts_on, periodEnd)) : null,
    supervisor ? loadingCard(t('anomalies'), 'anomalies', () => anomaliesView(unit, day)) : null,
    supervisor ? exportsCard(unit, campaign.starts_on, periodEnd) : null,
  );
}

async function progressView(campaign) {
  const progress = await api(`/campaigns/${encodeURIComponent(campaign.id)}/progress`);
  if (!progress.rows.length) return h('p', { text: t('no_targets') });
  const units = new Map();
  for (const row of progress.rows) {
    if (!units.has(row.unit_code)) units.set(row.unit_code, { code: row.unit_code, name: row.unit_name, rows: [] });
    units.get(row.unit_code).rows.push(row);
  }
  // How far behind: the worst metric's shortfall against today's expected mark, as a
  // share of its target. Units without targets (a province's other communes) come last.
  const gap = (u) => Math.min(Infinity, ...u.rows.filter((r) => r.target > 0).map((r) => (r.actual - r.expected_by_now) / r.target));
  const targeted = (u) => u.rows.some((r) => r.target != null);
  const list = [...units.values()];
  const hidden = list.filter((u) => !targeted(u)).length;
  const sorted = () => (view.sort === 'behind'
    ? [...list].sort((a, b) => gap(a) - gap(b) || a.code.localeCompare(b.code))
    : [...list].sort((a, b) => a.code.localeCompare(b.code)))
    .filter((u) => view.untargeted || targeted(u));
  const holder = h('div', {});
  const draw = () => holder.replaceChildren(...sorted().map(unitBlock));
  const sort = h('select', { id: 'sort', 'data-testid': 'sort', onchange: (e) => { view.sort = e.target.value; draw(); } },
    h('option', { value: 'behind', selected: view.sort === 'behind', text: t('sort_behind') }),
    h('option', { value: 'code', selected: view.sort === 'code', text: t('sort_code') }));
  const showAll = hidden ? h('label', { class: 'check' },
    h('input', { type: 'checkbox', 'data-testid': 'untargeted', checked: view.untargeted, onchange: (e) => { view.untargeted = e.target.checked; draw(); } }),
    ` ${t('show_untargeted')} (${fmt(hidden)})`) : null;
  draw();
  return [
    h('div', { class: 'row' }, h('div', {}, h('label', { for: 'sort', text: t('sort') }), sort), showAll),
    h('div', { class: 'legend' },
      ['ahead', 'on_track', 'behind'].map((s) => h('span', {}, h('span', { class: `pill status-${s}`, text: t('statuses.' + s) }))),
      h('span', { class: 'muted', text: t('expected_mark') })),
    holder,
    h('p', { class: 'muted', text: `${t('as_of')}: ${localTime(progress.as_of)}` }),
  ];
}

function unitBlock(unit) {
  return h('div', { class: 'unit', 'data-unit': unit.code },
    h('div', { class: 'unit-name', text: `${unit.name} (${unit.code})` }),
    unit.rows.map((r) => {
      if (r.target == null) {
        return h('div', { class: 'metric', 'data-metric': r.metric, 'data-actual': r.actual },
          h('div', { class: 'metric-head' },
            h('span', { class: 'metric-name', text: t('metrics.' + r.metric) }),
            h('span', { class: 'metric-numbers' }, h('span', { class: 'actual', text: fmt(r.actual) }),
              h('span', { class: 'muted', text: ` (${t('no_target')})` }))));
      }
      const share = (n) => (r.target > 0 ? Math.min(100, (100 * n) / r.target) : 100);
      return h('div', {
        class: `metric status-${r.status}`, 'data-metric': r.metric, 'data-actual': r.actual,
        'data-target': r.target, 'data-status': r.status,
      },
      h('div', { class: 'metric-head' },
        h('span', { class: 'metric-name', text: t('metrics.' + r.metric) }),
        h('span', { class: 'metric-numbers' },
          r.target_percent != null ? [h('span', { class: 'coverage', text: coverageText(r) }), ' · '] : null,
          h('span', { class: 'actual', text: fmt(r.actual) }), ` ${t('of')} `,
          h('span', { class: 'target', text: fmt(r.target) }), ` (${fmt(r.percent)}%) `,
          h('span', { class: `pill status-${r.status}`, text: t('statuses.' + r.status) }))),
      h('div', {
        class: 'track', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': r.target, 'aria-valuenow': r.actual,
        'aria-label': t('metrics.' + r.metric),
      },
      h('div', { class: 'fill', style: `width:${share(r.actual)}%` }),
      h('div', { class: 'expected', style: `left:${share(r.expected_by_now)}%`, title: fmt(r.expected_by_now) })));
    }));
}

// "38,2% / mục tiêu 40% của 6.200 người trưởng thành": a percentage target as the campaign
// states it, the share reached first.
function coverageText(r) {
  const reached = r.coverage == null ? '–' : `${fmt1(r.coverage)}%`;
  return `${reached} / ${t('target_short')} ${fmt(r.target_percent)}% ${t('target_of')} ${fmt(r.population)} ${t('bases.' + r.of)}`;
}

// A province's communes ranked by coverage of one metric (per 100 of a population figure),
// so a ward of 40,000 and a mountain commune of 3,000 compare by progress, not by size.
// Communes without figures cannot be ranked; they are named below the table.
async function rankingView(campaign, unit, from, to) {
  const percentTargets = [];
  for (const target of campaign.targets) {
    if (target.percent != null && !percentTargets.some((p) => p.metric === target.metric)) percentTargets.push(target);
  }
  const metric = view.rankMetric || percentTargets[0]?.metric || 'people_guided';
  const base = view.rankBase || percentTargets.find((p) => p.metric === metric)?.of || 'adults';
  const data = await api('/stats/breakdown' + query({ unit, by: 'unit', from, to, per: base }));
  const ranked = data.rows.filter((r) => r.population != null)
    .sort((a, b) => (b.per_100[metric] ?? -1) - (a.per_100[metric] ?? -1) || a.key.localeCompare(b.key));
  const missing = data.rows.filter((r) => r.population == null);
  const holder = h('div', {});
  const rerun = () => rankingView(campaign, unit, from, to)
    .then((content) => holder.parentElement?.replaceChildren(...[content].flat()))
    .catch((e) => toast(e.message));
  const metricPicker = h('select', { id: 'rank-metric', 'data-testid': 'rank-metric', onchange: (e) => { view.rankMetric = e.target.value; rerun(); } },
    Object.keys(TEXT.vi.metrics).map((m) => h('option', { value: m, selected: m === metric, text: t('metrics.' + m) })));
  const basePicker = h('select', { id: 'rank-base', 'data-testid': 'rank-base', onchange: (e) => { view.rankBase = e.target.value; rerun(); } },
    BASES.map((b) => h('option', { value: b, selected: b === base, text: t('bases.' + b) })));
  holder.append(
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'rank-metric', text: t('ranking_metric') }), metricPicker),
      h('div', {}, h('label', { for: 'rank-base', text: t('ranking_base') }), basePicker)),
    ranked.length ? h('table', { class: 'stack', 'data-testid': 'ranking-table', 'data-metric': metric, 'data-base': base },
      h('thead', {}, h('tr', {}, h('th', { class: 'num', text: t('rank') }), h('th', { text: t('unit') }),
        h('th', { class: 'num', text: t('metrics.' + metric) }), h('th', { class: 'num', text: t('population_used') }),
        h('th', { class: 'num', text: t('coverage') }))),
      h('tbody', {}, ranked.map((r, i) => h('tr', { 'data-unit': r.key },
        h('td', { class: 'num', 'data-label': t('rank'), text: String(i + 1) }),
        h('td', { 'data-label': t('unit'), text: r.label }),
        h('td', { class: 'num', 'data-label': t('metrics.' + metric), text: fmt(r.metrics[metric]) }),
        h('td', { class: 'num', 'data-label': t('population_used'), 'data-testid': 'population', text: `${fmt(r.population)} ${t('bases.' + base)}` }),
        h('td', { class: 'num', 'data-label': t('coverage'), 'data-testid': 'coverage', text: r.per_100[metric] == null ? '–' : `${fmt1(r.per_100[metric])}%` })))))
      : h('p', { text: t('no_figures') }),
    missing.length ? h('details', { class: 'muted', 'data-testid': 'figures-missing' },
      h('summary', { text: `${t('figures_missing')}: ${fmt(missing.length)}` }),
      h('p', { text: missing.map((r) => r.label).join(', ') })) : null);
  return holder;
}

async function dailyView(unit, day) {
  const from = addDays(day, -29);
  const data = await api('/stats/breakdown' + query({ unit, by: 'day', from, to: day }));
  const byDay = new Map(data.rows.map((r) => [r.key, r.metrics]));
  const days = Array.from({ length: 30 }, (_, i) => addDays(from, i));
  const series = SERIES.map((s) => ({ ...s, points: days.map((d) => (byDay.has(d) ? s.value(byDay.get(d)) : 0)) }));
  const names = { visits: t('metrics.visits'), vneid: `${t('metrics.vneid_installs')} + ${t('metrics.vneid_level2_activations')}`, signatures: t('metrics.signatures_submitted') };
  return [
    lineChart(days, series),
    h('div', { class: 'legend' }, series.map((s) => h('span', {}, h('i', { style: `background:${s.color}` }), names[s.key]))),
  ];
}

// A line chart in SVG, drawn here: the page ships no chart library.
function lineChart(days, series) {
  const [w, ht, left, right, top, bottom] = [480, 260, 40, 22, 12, 30];
  const max = Math.max(1, ...series.flatMap((s) => s.points));
  const step = niceStep(max / 4);
  const ceiling = Math.ceil(max / step) * step;
  const x = (i) => left + (i * (w - left - right)) / (days.length - 1);
  const y = (v) => top + (ht - top - bottom) * (1 - v / ceiling);
  const ticks = [];
  for (let v = 0; v <= ceiling; v += step) ticks.push(v);
  return h('div', { class: 'chart' }, svg('svg', { viewBox: `0 0 ${w} ${ht}`, role: 'img', 'aria-label': t('daily') },
    ticks.map((v) => [
      svg('line', { class: 'grid-line', x1: left, x2: w - right, y1: y(v), y2: y(v) }),
      svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, fmt(v)),
    ]),
    days.map((d, i) => (i % 5 === 4 || i === 0
      ? svg('text', { x: x(i), y: ht - 8, 'text-anchor': 'middle' }, `${d.slice(8, 10)}/${d.slice(5, 7)}`)
      : null)),
    svg('line', { class: 'axis', x1: left, x2: w - right, y1: y(0), y2: y(0) }),
    series.map((s) => [
      svg('polyline', { class: 'line', stroke: s.color, 'data-series': s.key, points: s.points.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ') }),
      s.points.map((v, i) => svg('circle', { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 3, fill: s.color },
        svg('title', {}, `${days[i]}: ${fmt(v)}`))),
    ])));
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) || p * 10;
}

// A commune's figures per hamlet and residential group, on today's map (a merged hamlet's
// records under the hamlet it became) or as recorded; supervisors add and rename hamlets
// here. The rows add up to the commune's figures either way.
const HAMLET_KINDS = ['thon', 'ap', 'ban', 'buon', 'soc', 'to-dan-pho', 'khu-pho', 'khom', 'khu-dan-cu'];

async function hamletsView(unit, from, to) {
  const map = view.hamletMap || 'current';
  const data = await api('/stats/breakdown' + query({ unit, by: 'hamlet', map, from, to }));
  const holder = h('div', {});
  const redraw = () => hamletsView(unit, from, to)
    .then((content) => holder.parentElement?.replaceChildren(...[content].flat()))
    .catch((e) => toast(e.message));
  const mayChange = session.user.role !== 'volunteer';
  const cols = ['visits', 'households_guided', 'vneid_installs', 'vneid_level2_activations', 'signatures_submitted', 'training_attendees'];
  const picker = h('select', { id: 'hamlet-map', 'data-testid': 'hamlet-map', onchange: (e) => { view.hamletMap = e.target.value; redraw(); } },
    ['current', 'as_recorded'].map((m) => h('option', { value: m, selected: m === map, text: t('map_' + m) })));
  const rename = (row) => async () => {
    const name = window.prompt(t('new_name'), row.label);
    if (!name || name === row.label) return;
    try {
      await api(`/units/${encodeURIComponent(row.key)}`, { method: 'PATCH', body: { name } });
      toast(t('hamlet_renamed'));
      redraw();
    } catch (e) { toast(e.message); }
  };
  const table = data.rows.length ? h('table', { class: 'stack', 'data-testid': 'hamlet-table', 'data-map': map },
    h('thead', {}, h('tr', {}, h('th', { text: t('hamlet') }), cols.map((c) => h('th', { class: 'num', text: t('metrics.' + c) })),
      mayChange ? h('th', {}) : null)),
    h('tbody', {}, data.rows.map((row) => h('tr', { 'data-hamlet': row.key ?? '', 'data-closed': String(!!row.closed) },
      h('td', { 'data-label': t('hamlet') },
        row.key == null ? h('span', { class: 'muted', text: t('no_hamlet') }) : `${row.label} (${row.key})`,
        row.closed ? h('span', { class: 'muted', text: ` · ${t('hamlet_closed')}` }) : null),
      cols.map((c) => h('td', { class: 'num', 'data-label': t('metrics.' + c), 'data-metric': c, text: fmt(row.metrics[c]) })),
      mayChange ? h('td', {}, row.key != null && !row.closed
        ? h('button', { class: 'btn small', type: 'button', 'data-testid': 'rename-hamlet', onclick: rename(row), text: t('rename') }) : null) : null))))
    : h('p', { text: t('no_hamlets') });
  let form = null;
  if (mayChange) {
    const name = h('input', { id: 'hamlet-name', 'data-testid': 'hamlet-name', required: true, maxlength: 100 });
    const kind = h('select', { id: 'hamlet-kind', 'data-testid': 'hamlet-kind' },
      HAMLET_KINDS.map((k) => h('option', { value: k, text: t('hamlet_kinds.' + k) })));
    form = h('form', { class: 'row', 'data-testid': 'add-hamlet' },
      h('div', {}, h('label', { for: 'hamlet-name', text: t('hamlet_name') }), name),
      h('div', {}, h('label', { for: 'hamlet-kind', text: t('hamlet_kind') }), kind),
      h('div', { class: 'btns' }, h('button', { class: 'btn', type: 'submit', text: t('add') })));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api(`/units/${encodeURIComponent(unit)}/hamlets`, { method: 'POST', body: { name: name.value, kind: kind.value } });
        toast(t('hamlet_added'));
        redraw();
      } catch (e) { toast(e.message); }
    });
  }
  holder.replaceChildren(
    h('div', {}, h('label', { for: 'hamlet-map', text: t('hamlet_map') }), picker),
    table,
    form ? h('details', {}, h('summary', { text: t('add_hamlet') }), form) : null);
  return holder;
}

async function teamsView(unit, from, to) {
  const [teams, breakdown] = await Promise.all([
    listAll('/teams', { unit }),
    api('/stats/breakdown' + query({ unit, by: 'team', from, to })),
  ]);
  const metrics = new Map(breakdown.rows.map((r) => [r.key, r.metrics]));
  const followUps = await Promise.all(teams.map((team) => api('/follow-ups' + query({ team: team.id, limit: LIST_MAX }))
    .then((page) => `${page.items.length}${page.next_cursor ? '+' : ''}`)
    .catch(() => '–')));
  if (!teams.length) return h('p', { text: t('no_teams') });
  const cols = ['visits', 'vneid_installs', 'signatures_submitted', 'training_sessions', 'training_attendees'];
  return h('table', { class: 'stack' },
    h('thead', {}, h('tr', {}, h('th', { text: t('team') }), cols.map((c) => h('th', { class: 'num', text: t('metrics.' + c) })),
      h('th', { class: 'num', text: t('follow_ups') }))),
    h('tbody', {}, teams.map((team, i) => h('tr', { 'data-team': team.id },
      h('td', { 'data-label': t('team'), text: team.name }),
      cols.map((c) => h('td', { class: 'num', 'data-label': t('metrics.' + c), 'data-metric': c, text: fmt((metrics.get(team.id) || {})[c] || 0) })),
      h('td', { class: 'num', 'data-label': t('follow_ups'), 'data-testid': 'follow-ups', text: followUps[i] })))));
}

async function anomaliesView(unit, day) {
  const from = addDays(day, -29);
  const [found, people] = await Promise.all([
    api('/stats/anomalies' + query({ unit, from, to: day })),
    api('/stats/breakdown' + query({ unit, by: 'volunteer', from, to: day })),
  ]);
  if (!found.items.length) return h('p', { text: t('no_anomalies') });
  const names = new Map(people.rows.map((r) => [r.key, r.label]));
  return h('ul', { class: 'records' }, found.items.map((a) => h('li', { 'data-reason': a.reason },
    h('div', {}, h('strong', { text: names.get(a.volunteer_id) || a.volunteer_id }), ' · ', t('reasons.' + a.reason)),
    h('div', { class: 'muted', text: a.detail }),
    h('details', {}, h('summary', { text: `${t('records_behind')} (${a.records.length})` }),
      h('div', { class: 'btns' }, a.records.map((r, i) => h('a', {
        href: `#/record/${r.kind}/${encodeURIComponent(r.id)}`, text: `${t('kinds.' + r.kind)} ${i + 1}`,
      })))))));
}

function exportsCard(unit, from, to) {
  const button = (label, path, params, name) => h('button', {
    type: 'button', class: 'btn secondary', 'data-export': name,
    onclick: async (e) => {
      e.target.disabled = true;
      try {
        const blob = await api(path + query(params), { csv: true });
        const link = h('a', { href: URL.createObjectURL(blob), download: name });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 10000);
      } catch (err) {
        toast(err.message);
      } finally {
        e.target.disabled = false;
      }
    },
  }, label);
  const province = /^\d{2}$/.test(unit);
  const stem = `gocua-${unit}-${from}-${to}`;
  return card(t('exports'), h('p', { class: 'muted', text: `${t('export_period')}: ${from} → ${to}` }),
    h('div', { class: 'btns' },
      button(t('summary_csv'), '/stats/summary.csv', { unit, from, to }, `${stem}-summary.csv`),
      province ? button(t('by_unit_csv'), '/stats/breakdown.csv', { unit, by: 'unit', from, to }, `${stem}-by-unit.csv`) : null,
      button(t('by_team_csv'), '/stats/breakdown.csv', { unit, by: 'team', from, to }, `${stem}-by-team.csv`),
      button(t('by_day_csv'), '/stats/breakdown.csv', { unit, by: 'day', from, to }, `${stem}-by-day.csv`),
      KINDS.map((k) => button(t(k.csv), `/exports/${k.path}.csv`, { unit, from, to }, `${stem}-${k.path}.csv`))));
}

// ---- certified figures ----------------------------------------------------------------

// The last six finished months, newest first, as `YYYY-MM`.
function finishedMonths() {
  const [y, m] = today().split('-').map(Number);
  return Array.from({ length: 6 }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 2 - i, 1));
    return d.toISOString().slice(0, 7);
  });
}

function monthName(period) {
  const [y, m] = period.split('-');
  return `${t('month_label')} ${Number(m)}/${y}`;
}

function monthDays(period) {
  const [y, m] = period.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return [`${period}-01`, `${period}-${String(last).padStart(2, '0')}`];
}

// The metrics where a certification's snapshot and the figures now differ.
function drift(certified, live) {
  return Object.keys(TEXT.vi.metrics).filter((k) => live && certified[k] !== live[k])
    .map((k) => `${t('metrics.' + k)}: ${fmt(certified[k])} → ${fmt(live[k])}`);
}

function certStatus(c) {
  return h('span', { class: `pill cert-${c ? c.status : 'none'}`, 'data-testid': 'cert-status', 'data-status': c ? c.status : 'none',
    text: c ? t('cert_statuses.' + c.status) : t('cert_none') });
}

// "Hộ gia đình số": per hamlet (a ward) or per commune (a province) the open households,
// those visited and reached in the last 30 days, the digital families and their share, and
// the digital residential areas; a team lead sees the doors not visited yet.
async function renderHouseholds(screen) {
  const unit = session.user.unit_code;
  const day = today();
  const from = new Date(Date.parse(day) - 29 * 864e5).toISOString().slice(0, 10);
  screen.show(
    loadingCard(t('households_title'), 'household-figures', () => householdFigures(unit, from, day)),
    session.user.role === 'volunteer' ? loadingCard(t('not_visited'), 'not-visited', () => notVisited(from)) : null,
  );
}

async function householdFigures(unit, from, to) {
  const data = await api('/stats/households' + query({ unit, from, to }));
  if (!data.rows.length) return h('p', { text: t('no_households') });
  const hamlets = data.by === 'hamlet';
  const cols = ['households', 'visited', 'reached', 'digital_families'];
  const names = { households: 'households_count', visited: 'visited', reached: 'reached', digital_families: 'families' };
  return h('table', { class: 'stack', 'data-testid': 'household-table', 'data-by': data.by },
    h('thead', {}, h('tr', {}, h('th', { text: t(hamlets ? 'hamlet' : 'unit') }),
      cols.map((c) => h('th', { class: 'num', text: t(names[c]) })),
      h('th', { class: 'num', text: t('family_share') }),
      h('th', { text: t(hamlets ? 'area' : 'areas') }))),
    h('tbody', {}, data.rows.map((row) => h('tr', { 'data-key': row.key, 'data-area': String(!!row.digital_residential_area) },
      h('td', { 'data-label': t(hamlets ? 'hamlet' : 'unit'), text: `${row.label} (${row.key})` }),
      cols.map((c) => h('td', { class: 'num', 'data-label': t(names[c]), 'data-metric': c, text: fmt(row[c]) })),
      h('td', { class: 'num', 'data-label': t('family_share'), text: row.digital_family_share == null ? '–' : String(row.digital_family_share) }),
      h('td', { 'data-label': t(hamlets ? 'area' : 'areas'), 'data-metric': 'area',
        text: hamlets ? t(row.digital_residential_area ? 'area_yes' : 'area_no') : fmt(row.digital_residential_areas) })))));
}

async function notVisited(since) {
  const page = await api('/households' + query({ not_visited_since: since, limit: LIST_MAX }));
  if (!page.items.length) return h('p', { text: t('everyone_visited') });
  return h('table', { class: 'stack', 'data-testid': 'not-visited-table' },
    h('thead', {}, h('tr', {}, h('th', { text: t('label') }), h('th', { text: t('hamlet') }))),
    h('tbody', {}, page.items.map((hh) => h('tr', { 'data-household': hh.id },
      h('td', { 'data-label': t('label'), text: hh.label }),
      h('td', { 'data-label': t('hamlet'), text: hh.hamlet_code })))));
}

async function renderCertify(screen) {
  screen.show(h('p', { class: 'muted', text: t('loading') }));
  const user = session.user;
  const months = finishedMonths();
  if (!months.includes(view.month)) view.month = months[0];
  const picker = h('select', { id: 'cert-month', 'data-testid': 'cert-month', onchange: (e) => { view.month = e.target.value; render(); } },
    months.map((p) => h('option', { value: p, selected: p === view.month, text: monthName(p) })));
  const head = card(t('cert_title'), h('label', { for: 'cert-month', text: t('cert_month') }), picker);
  let body;
  try {
    if (user.role === 'commune_supervisor') body = await communeCertify(user.unit_code, view.month);
    else if (user.role === 'province_supervisor' || user.role === 'admin') body = await provinceCertify(user.unit_code, view.month);
    else body = card(null, h('p', { text: t('cert_no_unit') }));
  } catch (e) {
    body = card(null, h('p', { class: 'error', text: e.message }));
  }
  if (!screen.stale) screen.show(head, body);
}

// A commune supervisor sees the month's figures, then certifies them with one button.
async function communeCertify(unit, period) {
  const [from, to] = monthDays(period);
  const [summary, certs] = await Promise.all([
    api('/stats/summary' + query({ unit, from, to })),
    listAll('/certifications', { unit, period }),
  ]);
  const current = certs[0] || null;
  const live = current && (current.status === 'submitted' || current.status === 'accepted');
  const rows = Object.keys(TEXT.vi.metrics).map((k) => h('tr', { 'data-metric': k },
    h('td', { text: t('metrics.' + k) }), h('td', { class: 'num', text: fmt(summary.metrics[k]) })));
  const note = h('input', { type: 'text', maxlength: 500, placeholder: t('cert_note'), 'aria-label': t('cert_note'), 'data-testid': 'cert-note' });
  const button = h('button', {
    type: 'button', class: 'btn', 'data-testid': 'certify',
    onclick: async (e) => {
      e.target.disabled = true;
      try {
        await api('/certifications', { method: 'POST', body: { unit_code: unit, period, note: note.value || null } });
        toast(t('cert_done'));
        render();
      } catch (err) {
        toast(err.message);
        e.target.disabled = false;
      }
    },
  }, `${t('cert_button')} ${monthName(period)}`);
  const differs = current && live ? drift(current.metrics, summary.metrics) : [];
  return card(`${t('cert_figures')}: ${monthName(period)}`,
    h('div', { class: 'row' }, h('div', {}, certStatus(current))),
    current && current.decision_note ? h('p', { class: 'muted', text: `${t('cert_decision_note')}: ${current.decision_note}` }) : null,
    current && current.reopen_reason ? h('p', { class: 'muted', text: `${t('cert_reopen_reason')}: ${current.reopen_reason}` }) : null,
    differs.length ? h('p', { class: 'error', 'data-testid': 'drift', text: `${t('cert_drift')}: ${differs.join(' · ')}` }) : null,
    h('table', { 'data-testid': 'cert-figures' }, h('tbody', {}, rows)),
    live ? null : h('div', { class: 'btns' }, note, button));
}

// A province supervisor sees every commune's status for the month, accepts or returns what
// is waiting, and where certified and live figures differ.
async function provinceCertify(unit, period) {
  const [from, to] = monthDays(period);
  const [certs, communes] = await Promise.all([
    listAll('/certifications', unit ? { unit, period } : { period }),
    unit ? api('/stats/breakdown' + query({ unit, by: 'unit', from, to })) : Promise.resolve({ rows: [] }),
  ]);
  const latest = new Map();
  for (const c of certs) if (!latest.has(c.unit_code)) latest.set(c.unit_code, c);
  const live = new Map(communes.rows.map((r) => [r.key, r.metrics]));
  const names = new Map(communes.rows.map((r) => [r.key, r.label]));
  for (const c of certs) names.set(c.unit_code, c.unit_name);
  const decide = async (c, action, note, done) => {
    if (action === 'return' && !note) return toast(t('cert_return_note'));
    try {
      await api(`/certifications/${encodeURIComponent(c.id)}/${action}`, { method: 'POST', body: { note: note || null } });
      toast(t(action === 'accept' ? 'cert_accepted' : 'cert_returned'));
      done();
    } catch (err) {
      toast(err.message);
    }
  };
  const rows = [...latest.values()].sort((a, b) => a.unit_code.localeCompare(b.unit_code)).map((c) => {
    const note = h('input', { type: 'text', maxlength: 500, placeholder: t('note'), 'aria-label': t('note') });
    const differs = drift(c.metrics, live.get(c.unit_code));
    return h('tr', { 'data-unit': c.unit_code, 'data-certification': c.id },
      h('td', { 'data-label': t('cert_unit'), text: names.get(c.unit_code) || c.unit_code }),
      h('td', { 'data-label': t('cert_status') }, certStatus(c)),
      h('td', { 'data-label': t('cert_certified') },
        h('div', { text: `${t('metrics.visits')}: ${fmt(c.metrics.visits)} · ${t('metrics.people_guided')}: ${fmt(c.metrics.people_guided)}` }),
        live.has(c.unit_code) ? h('div', {
          class: differs.length ? 'error' : 'muted', 'data-testid': differs.length ? 'drift' : 'same',
          text: differs.length ? `${t('cert_drift')}: ${differs.join(' · ')}` : t('cert_same'),
        }) : null),
      h('td', { 'data-label': t('cert_actions') }, c.status === 'submitted' ? h('div', { class: 'btns' }, note,
        h('button', { type: 'button', class: 'btn', 'data-action': 'accept', onclick: () => decide(c, 'accept', note.value.trim(), render) }, t('cert_accept')),
        h('button', { type: 'button', class: 'btn secondary', 'data-action': 'return', onclick: () => decide(c, 'return', note.value.trim(), render) }, t('cert_return')))
        : null));
  });
  const missing = communes.rows.filter((r) => !latest.has(r.key));
  return card(`${t('cert_title')}: ${monthName(period)}`,
    rows.length ? h('table', { class: 'stack', 'data-testid': 'cert-table' },
      h('thead', {}, h('tr', {}, ['cert_unit', 'cert_status', 'cert_certified', 'cert_actions'].map((k) => h('th', { text: t(k) })))),
      h('tbody', {}, rows)) : null,
    missing.length ? h('details', { class: 'muted', 'data-testid': 'cert-missing' },
      h('summary', { text: `${t('cert_missing')}: ${fmt(missing.length)}` }),
      h('p', { text: missing.map((r) => r.label).join(', ') })) : null);
}

// ---- review ---------------------------------------------------------------------------

async function renderReview(screen) {
  screen.show(h('p', { class: 'muted', text: t('loading') }));
  const user = session.user;
  let teams;
  try {
    teams = user.role === 'volunteer'
      ? user.teams.filter((m) => m.role === 'lead').map((m) => ({ id: m.team_id, name: m.name }))
      : await listAll('/teams', user.unit_code ? { unit: user.unit_code } : {});
  } catch (e) {
    return screen.show(card(null, h('p', { class: 'error', text: e.message })));
  }
  if (screen.stale) return;
  if (!teams.length) return screen.show(card(t('review_title'), h('p', { text: t('no_teams') })));
  if (!teams.some((x) => x.id === view.team)) view.team = teams[0].id;
  const select = (id, value, options, onchange) => h('select', { id, 'data-testid': id, onchange },
    options.map(([v, label]) => h('option', { value: v, selected: v === value, text: label })));
  const counts = h('div', { class: 'counts', 'data-testid': 'counts' });
  const list = h('div', { 'data-testid': 'review-list' });
  const reload = () => loadReview(screen, counts, list);
  screen.show(card(t('review_title'),
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'team', text: t('team') }),
        select('team', view.team, teams.map((x) => [x.id, x.name]), (e) => { view.team = e.target.value; reload(); })),
      h('div', {}, h('label', { for: 'kind', text: t('kind') }),
        select('kind', view.kind, KINDS.map((k) => [k.kind, t('kinds.' + k.kind)]), (e) => { view.kind = e.target.value; reload(); })),
      h('div', {}, h('label', { for: 'status', text: t('status') }),
        select('status', view.status, ['pending', 'flagged'].map((s) => [s, t('review.' + s)]), (e) => { view.status = e.target.value; reload(); }))),
    counts), list);
  reload();
}

// The latest load of the review list wins: an approval's reload that answers after the
// filters changed must not put back the old list.
let reviewLoads = 0;

async function loadReview(screen, counts, list) {
  const mine = ++reviewLoads;
  const stale = () => screen.stale || mine !== reviewLoads;
  const kind = KINDS.find((k) => k.kind === view.kind);
  counts.replaceChildren(h('span', { class: 'muted', text: t('loading') }));
  list.replaceChildren();
  try {
    const [pending, flagged, members] = await Promise.all([
      listAll('/' + kind.path, { team: view.team, review_status: 'pending' }),
      listAll('/' + kind.path, { team: view.team, review_status: 'flagged' }),
      api(`/teams/${encodeURIComponent(view.team)}`).then((d) => d.members).catch(() => []),
    ]);
    if (stale()) return;
    const names = new Map(members.map((m) => [m.user_id, m.full_name]));
    counts.replaceChildren(
      h('span', {}, `${t('review.pending')}: `, h('strong', { 'data-testid': 'count-pending', text: String(pending.length) })),
      h('span', {}, `${t('review.flagged')}: `, h('strong', { 'data-testid': 'count-flagged', text: String(flagged.length) })));
    const items = view.status === 'pending' ? pending : flagged;
    if (!items.length) return list.replaceChildren(card(null, h('p', { text: t('nothing_to_review') })));
    let shown = 0;
    const ul = h('ul', { class: 'records' });
    const more = h('button', { type: 'button', class: 'btn secondary', text: t('more'), onclick: () => showMore() });
    const showMore = () => {
      ul.append(...items.slice(shown, shown + 20).map((r) => h('li', { 'data-record': r.id },
        recordSummary(kind.kind, r, names), reviewForm(kind, r, () => loadReview(screen, counts, list)))));
      shown += 20;
      more.hidden = shown >= items.length;
    };
    showMore();
    list.replaceChildren(card(null, ul, more));
  } catch (e) {
    if (!stale()) counts.replaceChildren(h('p', { class: 'error', text: e.message }));
  }
}

function recordSummary(kind, r, names) {
  const value = (v) => (v == null ? '–' : t('values.' + v) === 'values.' + v ? String(v) : t('values.' + v));
  const parts = {
    visit: () => [[t('household'), r.household_ref || '–'], [t('outcome'), value(r.outcome)], [t('people'), r.people_guided]],
    vneid_assist: () => [[t('action'), value(r.action)], [t('result'), value(r.result)]],
    signature_registration: () => [[t('provider'), r.provider], [t('status'), value(r.status)]],
    training_session: () => [[t('format'), value(r.format)], [t('attendees'), r.attendees],
      [t('helped'), r.people_helped], [r.venue || '–', `${r.duration_minutes} ${t('minutes')}`]],
  }[kind]();
  return h('div', {},
    h('div', {}, h('strong', { text: names.get(r.volunteer_id) || r.volunteer_id }), ` · ${localTime(r.occurred_at)}`,
      r.hamlet ? ` · ${t('hamlet')}: ${r.hamlet}` : ''),
    h('div', { class: 'muted', text: parts.map(([k, v]) => `${k}: ${v}`).join(' · ') }),
    r.review_note ? h('div', { class: 'muted', text: `${t('review_note')}: ${r.review_note}` }) : null,
    r.note ? h('div', { class: 'muted', text: `${t('note')}: ${r.note}` }) : null);
}

function reviewForm(kind, record, done) {
  const note = h('input', { type: 'text', maxlength: 500, placeholder: t('note'), 'aria-label': t('note') });
  const act = (status, label, doneText) => h('button', {
    type: 'button', class: `btn ${status === 'approved' ? 'approve' : status === 'flagged' ? 'flag' : 'reject'}`,
    'data-action': status, text: label,
    onclick: async (e) => {
      if (status === 'rejected' && !note.value.trim()) return toast(t('note_needed'));
      e.target.disabled = true;
      try {
        await api(`/${kind.path}/${encodeURIComponent(record.id)}/review`, {
          method: 'POST', body: { status, note: note.value.trim() || null },
        });
        toast(t(doneText));
        done();
      } catch (err) {
        toast(err.message);
        e.target.disabled = false;
      }
    },
  });
  return h('div', {}, note, h('div', { class: 'btns' },
    act('approved', t('approve'), 'done_approved'),
    record.review_status === 'flagged' ? null : act('flagged', t('flag'), 'done_flagged'),
    act('rejected', t('reject'), 'done_rejected')));
}

async function renderRecord(screen, kindName, id) {
  const kind = KINDS.find((k) => k.kind === kindName);
  if (!kind) return renderProgress(screen);
  screen.show(h('p', { class: 'muted', text: t('loading') }));
  try {
    const r = await api(`/${kind.path}/${encodeURIComponent(id)}`);
    const members = await api(`/teams/${encodeURIComponent(r.team_id)}`).then((d) => d.members).catch(() => []);
    if (screen.stale) return;
    const names = new Map(members.map((m) => [m.user_id, m.full_name]));
    const field = (k, v) => (v == null || v === '' ? null : [h('dt', { text: k }), h('dd', { text: String(v) })]);
    screen.show(card(`${t('record')}: ${t('kinds.' + kind.kind)}`,
      h('p', {}, h('a', { href: '#/progress', text: t('back') })),
      recordSummary(kind.kind, r, names),
      h('dl', { class: 'fields' },
        field(t('status'), t('review.' + r.review_status)),
        field(t('occurred_at'), localTime(r.occurred_at)),
        field(t('review_note'), r.review_note),
        field(t('voided'), r.voided ? r.void_reason || '✓' : null),
        field('id', r.id)),
      r.voided || r.review_status === 'approved' || r.review_status === 'rejected'
        ? null : reviewForm(kind, r, () => render())));
  } catch (e) {
    screen.show(card(null, h('p', { class: 'error', text: e.message }), h('a', { href: '#/progress', text: t('back') })));
  }
}

window.addEventListener('hashchange', render);
window.addEventListener('DOMContentLoaded', () => {
  document.getElementById('lang').addEventListener('click', () => {
    lang = lang === 'vi' ? 'en' : 'vi';
    localStorage.setItem('gocua.lang', lang);
    render();
  });
  document.getElementById('logout').addEventListener('click', logout);
  scheduleRefresh();
  render();
});
