//! The one catalogue of what the API says to people: every problem title and detail and
//! every field message, in Vietnamese (the default: volunteers read refusals on their
//! phones) and English (`Accept-Language: en`). Codes are the machine's part and never
//! change with the language; only the words here do.

use std::borrow::Cow;
use std::fmt;

/// A language the API answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Vietnamese, the default.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// The `Accept-Language` choice (RFC 9110): the supported language with the highest
    /// weight, Vietnamese on a tie, on `*` and when none is named.
    pub fn negotiate(header: Option<&str>) -> Self {
        let mut best = (0.0_f32, Lang::Vi);
        for item in header.unwrap_or("").split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "en" => Lang::En,
                "vi" => Lang::Vi,
                _ => continue,
            };
            if weight > best.0 || (weight == best.0 && lang == Lang::Vi && weight > 0.0) {
                best = (weight, lang);
            }
        }
        best.1
    }

    /// The `Content-Language` value.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// One message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    vi: Cow<'static, str>,
    en: Cow<'static, str>,
}

impl Text {
    /// A fixed message.
    pub const fn fixed(vi: &'static str, en: &'static str) -> Self {
        Self {
            vi: Cow::Borrowed(vi),
            en: Cow::Borrowed(en),
        }
    }

    /// A message with values in it.
    pub fn owned(vi: String, en: String) -> Self {
        Self {
            vi: Cow::Owned(vi),
            en: Cow::Owned(en),
        }
    }

    /// The words in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

/// English, for logs and `Debug`.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

macro_rules! catalogue {
    ($($(#[$meta:meta])* $name:ident => $vi:literal, $en:literal;)+) => {
        $($(#[$meta])* pub const $name: Text = Text::fixed($vi, $en);)+
    };
}

// Problem titles, one per kind of problem.
catalogue! {
    TITLE_BAD_REQUEST => "Yêu cầu sai cú pháp", "Bad request";
    TITLE_UNAUTHORIZED => "Chưa xác thực", "Unauthorized";
    TITLE_FORBIDDEN => "Không có quyền", "Forbidden";
    TITLE_NOT_FOUND => "Không tìm thấy", "Not found";
    TITLE_METHOD_NOT_ALLOWED => "Phương thức không được hỗ trợ", "Method not allowed";
    TITLE_CONFLICT => "Xung đột dữ liệu", "Conflict";
    TITLE_PAYLOAD_TOO_LARGE => "Dữ liệu quá lớn", "Payload too large";
    TITLE_UNSUPPORTED_MEDIA_TYPE => "Sai định dạng dữ liệu", "Unsupported media type";
    TITLE_TIMEOUT => "Gửi dữ liệu quá chậm", "Request timeout";
    TITLE_VALIDATION => "Dữ liệu không hợp lệ", "Validation failed";
    TITLE_RATE_LIMITED => "Quá nhiều yêu cầu", "Too many requests";
    TITLE_UNAVAILABLE => "Tạm thời không phục vụ được", "Service unavailable";
    TITLE_INTERNAL => "Lỗi máy chủ", "Internal error";
}

// Problem details.
catalogue! {
    UNAVAILABLE => "Cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau ít phút", "the database is unavailable; retry shortly";
    INTERNAL => "Đã xảy ra lỗi không mong muốn; lỗi đã được ghi lại", "an unexpected error occurred; it has been logged";
    NO_SUCH_ENDPOINT => "Không có địa chỉ API này", "no such endpoint";
    NO_SUCH_OBJECT => "Không có đối tượng này", "no such object";
    NOT_FOUND => "Không tìm thấy", "not found";
    NOT_FOUND_API_KEY => "Không tìm thấy khóa API", "api key not found";
    NOT_FOUND_CAMPAIGN => "Không tìm thấy chiến dịch", "campaign not found";
    NOT_FOUND_MEMBER => "Không tìm thấy thành viên", "member not found";
    NOT_FOUND_RECORD => "Không tìm thấy bản ghi", "record not found";
    NOT_FOUND_TEAM => "Không tìm thấy tổ", "team not found";
    NOT_FOUND_UNIT => "Không tìm thấy đơn vị", "unit not found";
    NOT_FOUND_POPULATION => "Đơn vị này và các xã, phường của nó chưa có số dân", "neither this unit nor its communes have population figures";
    NOT_FOUND_USER => "Không tìm thấy người dùng", "user not found";
    NOT_FOUND_CERTIFICATION => "Không tìm thấy chứng nhận số liệu", "certification not found";
    CERTIFICATION_EXISTS => "Xã này đã có chứng nhận đang chờ duyệt hoặc đã được chấp nhận cho kỳ này", "this commune already has a submitted or accepted certification for the period";
    NOT_SUBMITTED => "Chỉ chứng nhận đang chờ duyệt mới được chấp nhận hoặc trả lại", "only a submitted certification can be accepted or returned";
    NOT_ACCEPTED => "Chỉ chứng nhận đã được chấp nhận mới mở lại được", "only an accepted certification can be reopened";
    PRIVACY_OFFICERS_ONLY => "Chỉ quản trị viên hoặc giám sát viên cấp tỉnh mới tra cứu và xóa liên kết công dân", "only an admin or a province supervisor looks up and erases a resident's links";
    CERTIFIERS_ONLY => "Chỉ giám sát viên trong phạm vi mới chứng nhận số liệu của xã", "only a supervisor in scope certifies a commune's figures";
    DECIDERS_ONLY => "Chỉ giám sát viên cấp tỉnh hoặc quản trị viên mới chấp nhận, trả lại hoặc mở lại", "only a province supervisor or an admin accepts, returns or reopens";
    READERS_OF_CERTIFICATIONS => "Tình nguyện viên không xem chứng nhận số liệu", "volunteers do not read certifications";
    INVALID_PERIOD => "Kỳ phải có dạng YYYY-MM (tháng) hoặc YYYY-Www (tuần ISO)", "a period is YYYY-MM (a month) or YYYY-Www (an ISO week)";
    PERIOD_NOT_ENDED => "Chỉ chứng nhận được kỳ đã kết thúc", "only a period that has ended can be certified";
    NOT_FOUND_WEBHOOK => "Không tìm thấy webhook", "webhook not found";
    WEBHOOK_OWNERS_ONLY => "Chỉ quản trị viên hoặc giám sát viên cấp tỉnh quản lý webhook", "only an admin or a province supervisor manages webhooks";
    WEBHOOK_URL => "Phải là địa chỉ http:// hoặc https:// có tên máy", "must be an http:// or https:// address with a host";
    WEBHOOK_PRIVATE => "Không được gửi tới mạng nội bộ, loopback hoặc link-local", "must not point at a private, loopback or link-local address";
    WEBHOOK_UNRESOLVABLE => "Không phân giải được tên máy", "the host name does not resolve";
    WEBHOOK_EVENTS => "Chọn ít nhất một sự kiện, mỗi sự kiện một lần", "name at least one event, each once";
    CERTIFY_A_COMMUNE => "Chỉ chứng nhận số liệu của một xã, phường hoặc đặc khu", "only a commune's figures are certified";
    RETURN_NOTE_REQUIRED => "Hãy ghi lý do trả lại", "say why the figures are returned";
    REOPEN_REASON_REQUIRED => "Hãy ghi lý do mở lại", "say why the period is reopened";
    NOT_GZIP => "Dữ liệu gửi lên không phải gzip hợp lệ", "the body is not valid gzip";
    TRAILING_JSON => "Có ký tự thừa sau tài liệu JSON", "trailing characters after the JSON document";
    SEND_JSON => "Hãy gửi dữ liệu dạng application/json", "send the body as application/json";
    SEND_PLAIN_OR_GZIP => "Hãy gửi dữ liệu không nén hoặc nén gzip (Content-Encoding: gzip)", "send the body plain or with Content-Encoding: gzip";
    RECORD_ID_TAKEN => "Đã có bản ghi mang mã này với nội dung khác", "a record with this id exists with other content";
    RECORD_CHANGED => "Bản ghi vừa bị thay đổi; hãy tải lại rồi thử lại", "the record changed meanwhile; reload and retry";
    RECORD_VOIDED => "Bản ghi đã bị hủy", "the record is voided";
    HAMLET_NAME_TAKEN => "Xã/phường đã có thôn, tổ dân phố mang tên này", "the commune already has a hamlet of this name";
    HAMLET_SETTERS_ONLY => "Chỉ giám sát viên của xã/phường, của tỉnh hoặc quản trị viên được thay đổi thôn, tổ dân phố", "only the commune's or province's supervisors and admins change hamlets";
    TEAM_NAME_TAKEN => "Xã/phường đã có tổ mang tên này", "the commune already has a team of this name";
    TEAM_INACTIVE => "Tổ đã ngừng hoạt động", "the team is deactivated";
    PHONE_TAKEN => "Số điện thoại này đã được đăng ký", "this phone number is already registered";
    KEYS_READ_ONLY => "Khóa bảng điều khiển chỉ được đọc đơn vị, thống kê và chiến dịch", "dashboard keys only read units, statistics and campaigns";
    NO_SELF_REVIEW => "Không ai được tự duyệt bản ghi của mình", "nobody reviews their own record";
    REVIEWERS_ONLY => "Chỉ giám sát viên trong phạm vi hoặc tổ trưởng mới được duyệt", "only a supervisor in scope or the team's lead may review";
    MEMBERS_ONLY => "Chỉ thành viên của tổ mới được ghi nhận cho tổ", "only members of the team may log records for it";
    KEY_MANAGERS_ONLY => "Chỉ giám sát viên và quản trị viên quản lý khóa bảng điều khiển", "only supervisors and admins manage dashboard keys";
    SUPERVISORS_ONLY => "Chỉ giám sát viên và quản trị viên được làm việc này", "only supervisors and admins may do this";
    POPULATION_SETTERS_ONLY => "Chỉ quản trị viên hoặc giám sát viên cấp tỉnh của đơn vị được cập nhật số dân", "only an admin or the unit's province supervisor sets its population figures";
    POPULATION_MISSING => "Đơn vị này chưa có số dân để tính chỉ tiêu theo tỷ lệ", "this unit has no population figures to take a percentage of";
    PERCENT_RANGE => "Tỷ lệ phải lớn hơn 0 và không quá 100", "the percentage must be above 0 and at most 100";
    TARGET_OR_PERCENT => "Hãy cho hoặc target, hoặc percent cùng of", "give either target, or percent with of";
    HAMLETS_OF_A_COMMUNE => "by=hamlet chỉ dùng cho một xã, phường hoặc đặc khu", "by=hamlet goes with a commune, ward or special zone only";
    MAP_ONLY_BY_HAMLET => "Chỉ dùng map cùng by=hamlet", "map goes with by=hamlet only";
    PER_ONLY_BY_UNIT => "Chỉ dùng per cùng by=unit", "per goes with by=unit only";
    TARGET_SETTERS_ONLY => "Chỉ giám sát viên của đơn vị chiến dịch được đặt chỉ tiêu", "only supervisors of the campaign's unit set its targets";
    EDITORS_ONLY => "Chỉ người ghi (trong 72 giờ, khi chưa duyệt) hoặc giám sát viên được sửa bản ghi này", "only the author (within 72 hours, while pending) or a supervisor may change this record";
    LOWER_ROLES_ONLY => "Chỉ được thay đổi người dùng có vai trò thấp hơn bạn", "only users of a lower role than yours can be changed";
    LOWER_ROLES_GIVEN => "Chỉ được giao vai trò thấp hơn vai trò của bạn", "you may only give roles lower than yours";
    BAD_TOKEN => "Mã truy cập không hợp lệ hoặc đã hết hạn", "invalid or expired access token";
    SEND_TOKEN => "Hãy gửi Authorization: Bearer <mã truy cập>", "send Authorization: Bearer <access token>";
    SESSION_ENDED => "Phiên làm việc đã kết thúc; hãy đăng nhập lại", "this session has ended; sign in again";
    BAD_KEY => "Khóa bảng điều khiển không tồn tại hoặc đã bị thu hồi", "unknown or revoked dashboard key";
    BAD_LOGIN => "Sai số điện thoại hoặc mật khẩu", "wrong phone number or password";
    UNKNOWN_REFRESH_TOKEN => "Mã làm mới không tồn tại", "unknown refresh token";
    LOGIN_ENDED => "Lượt đăng nhập này đã kết thúc; hãy đăng nhập lại", "this login has ended; sign in again";
    REFRESH_EXPIRED => "Mã làm mới đã hết hạn; hãy đăng nhập lại", "refresh token expired; sign in again";
    REFRESH_REUSED => "Mã làm mới đã được dùng; lượt đăng nhập này đã bị thu hồi, hãy đăng nhập lại", "refresh token already used; this login is revoked, sign in again";
    ADMIN_HAS_NO_UNIT => "Quản trị viên không thuộc đơn vị nào", "an admin has no unit";
    PROVINCE_ROLE_UNIT => "Giám sát viên tỉnh thuộc về một tỉnh/thành phố", "a province supervisor belongs to a province";
    COMMUNE_ROLE_UNIT => "Vai trò này thuộc về một xã, phường hoặc đặc khu", "this role belongs to a commune";
}

// Field messages.
catalogue! {
    REQUIRED => "Bắt buộc phải có", "this field is required";
    UNKNOWN_FIELD => "Trường này không có trong API", "this field is not part of the API";
    INVALID => "Giá trị không hợp lệ", "invalid value";
    OUT_OF_RANGE => "Giá trị nằm ngoài khoảng cho phép", "out of the allowed range";
    WHOLE_NUMBER => "Phải là số nguyên", "must be a whole number";
    A_NUMBER => "Phải là một số", "must be a number";
    TRUE_OR_FALSE => "Phải là true hoặc false", "must be true or false";
    TEXT => "Phải là chuỗi ký tự", "must be text";
    A_LIST => "Phải là một danh sách", "must be a list";
    AN_OBJECT => "Phải là một đối tượng JSON", "must be an object";
    A_UUID => "Phải là một UUID", "must be a UUID";
    A_DATE => "Phải là ngày dạng YYYY-MM-DD", "must be a date (YYYY-MM-DD)";
    AN_INSTANT => "Phải là thời điểm có múi giờ (RFC 3339)", "must be an instant with an offset (RFC 3339)";
    A_CHOICE => "Phải là một trong các giá trị cho phép", "must be one of the allowed values";
    CONTROL_CHARACTER => "Không được chứa ký tự điều khiển", "must not contain control characters";
    BEFORE_FROM => "Không được trước ngày bắt đầu (from)", "must not be before from";
    BEFORE_START => "Không được trước starts_on", "must not be before starts_on";
    BIRTH_YEAR_MISMATCH => "Các chữ số thế kỷ và năm sinh không khớp với birth_year", "the century and year digits do not agree with birth_year";
    SEX_MISMATCH => "Chữ số thế kỷ/giới tính không khớp với sex", "the century/sex digit does not agree with sex";
    TOPIC_TWICE => "Mỗi chủ đề chỉ một lần", "each topic at most once";
    AUDIENCE_TWICE => "Mỗi đối tượng chỉ một lần", "each audience at most once";
    AUDIENCE_NEEDED => "Chọn ít nhất một đối tượng tham gia", "name at least one audience";
    HELPED_ABOVE_ATTENDEES => "Không được nhiều hơn số người tham dự (attendees)", "cannot exceed attendees";
    TARGET_TWICE => "Mỗi đơn vị và chỉ số chỉ một chỉ tiêu", "one target per unit and metric";
    IN_FUTURE => "Sớm hơn hiện tại quá 10 phút", "more than 10 minutes in the future";
    INACTIVE_TEAM => "Tổ đã ngừng hoạt động", "the team is deactivated";
    INACTIVE_UNIT => "Đơn vị này không còn trên bản đồ hành chính", "this unit has left the map";
    INACTIVE_USER => "Người dùng này đã bị khóa", "this user is disabled";
    REVIEW_STATUS_CHOICE => "Phải là approved, flagged hoặc rejected", "must be approved, flagged or rejected";
    APPROVED_ONLY => "Chỉ hỗ trợ `approved`", "only `approved` is supported";
    CITIZEN_ID_DIGITS => "Phải gồm 12 chữ số", "must be 12 digits";
    CITIZEN_ID_PROVINCE => "Ba chữ số đầu phải là mã tỉnh (001–096)", "the first three digits must be a province code (001–096)";
    INVALID_CURSOR => "Không phải con trỏ do máy chủ này cấp", "not a cursor this server issued";
    INVALID_DATETIME => "Phải theo RFC 3339 có múi giờ, ví dụ 2026-03-14T09:30:00+07:00", "must be RFC 3339 with an offset, e.g. 2026-03-14T09:30:00+07:00";
    INVALID_PHONE => "Không phải số di động Việt Nam", "not a Vietnamese mobile number";
    INVALID_UUID => "Phải là UUID", "must be a UUID";
    NOT_A_COMMUNE => "Tổ thuộc về một xã, phường hoặc đặc khu", "a team belongs to a commune, ward or special zone";
    NOT_A_MEMBER => "Bạn không phải thành viên của tổ này", "you are not a member of this team";
    ONLY_WHEN_FAILED => "Chỉ dùng khi kết quả là failed", "only for a failed result";
    NOBODY_HOME => "Phải bằng 0 khi không có ai ở nhà", "must be 0 when nobody was home";
    NOTHING_BELOW => "Không có đơn vị nào dưới cấp xã; hãy dùng by=team", "nothing lies below a commune; use by=team";
    OUTSIDE_CAMPAIGN => "Phải là đơn vị của chiến dịch hoặc đơn vị trực thuộc", "must be the campaign's unit or a unit under it";
    LAT_OUTSIDE_VIETNAM => "Vĩ độ nằm ngoài Việt Nam (6.0–23.5)", "latitude outside Vietnam (6.0–23.5)";
    LON_OUTSIDE_VIETNAM => "Kinh độ nằm ngoài Việt Nam (102.0–117.9)", "longitude outside Vietnam (102.0–117.9)";
    PROVIDER_REQUIRED => "Hãy ghi tên tổ chức cung cấp dịch vụ chứng thực", "name the certification provider";
    REASON_REQUIRED => "Bắt buộc khi kết quả là failed", "required when result is failed";
    REJECT_REASON_REQUIRED => "Hãy ghi lý do từ chối bản ghi", "say why the record is rejected";
    CITIZEN_ID_AGAIN => "Gửi lại citizen_id để đổi birth_year hoặc sex", "send citizen_id again to change birth_year or sex";
    CAMPAIGN_TOO_LONG => "Một chiến dịch kéo dài tối đa 366 ngày", "a campaign lasts at most 366 days";
    UNDER_15 => "Công dân phải đủ 15 tuổi trở lên trong năm của occurred_at", "the citizen must turn 15 or more in the year of occurred_at";
    UNKNOWN_TEAM => "Không có tổ này trong phạm vi của bạn", "no such team visible to you";
    UNKNOWN_UNIT => "Không có đơn vị này", "no such unit";
    UNKNOWN_VISIT => "Không phải lượt thăm của tổ này", "not a visit of this team";
    PEOPLE_GUIDED_RANGE => "Từ 0 đến 50", "0 to 50";
    ACCURACY_RANGE => "Từ 0 đến 10,000 mét", "0 to 10,000 metres";
    TARGET_RANGE => "Từ 0 đến 1,000,000,000", "0 to 1,000,000,000";
    WRONG_COMMUNE => "Thành viên phải là người dùng của xã/phường của tổ", "members must be users of the team's commune";
    WRONG_PASSWORD => "Mật khẩu hiện tại không đúng", "the current password is wrong";
    WRONG_HAMLET => "Không phải thôn, tổ dân phố của xã/phường này", "not a hamlet or residential group of this commune";
    HAMLET_CLOSED => "Thôn, tổ dân phố này đã được sáp nhập hoặc chia tách", "this hamlet has been merged or split";
    HAMLET_IN_TWO_CHANGES => "Một thôn, tổ dân phố chỉ nằm trong một thay đổi", "a hamlet may be named in one change only";
    MERGE_NEEDS_TWO => "Sáp nhập cần ít nhất hai thôn, tổ dân phố", "a merge needs at least two hamlets";
    SPLIT_NEEDS_TWO => "Chia tách thành ít nhất hai thôn, tổ dân phố", "a split makes at least two hamlets";
    REARRANGEMENT_EMPTY => "Hãy nêu ít nhất một sáp nhập hoặc chia tách", "name at least one merge or split";
    BEFORE_HAMLET_BEGAN => "Ngày hiệu lực phải sau ngày thôn, tổ dân phố bắt đầu", "the effective date must come after the hamlet began";
    NOT_A_HAMLET_KIND => "Phải là một loại thôn, tổ dân phố: thon, ap, ban, buon, soc, to-dan-pho, khu-pho, khom, khu-dan-cu", "must be a hamlet kind: thon, ap, ban, buon, soc, to-dan-pho, khu-pho, khom, khu-dan-cu";
    NOT_A_HAMLET => "Chỉ đổi tên được thôn, tổ dân phố", "only hamlets and residential groups can be renamed here";
    NOT_A_COMMUNE_UNIT => "Phải là mã xã, phường hoặc đặc khu", "must be a commune, ward or special zone";
    DUPLICATE_ITEM => "Mục này đã có trong danh sách", "this item is already in the list";
    NAME_TWICE => "Tên này đã dùng cho thôn, tổ dân phố khác trong yêu cầu", "this name is given twice in the request";
    HOUSEHOLD_NOT_FOUND => "Không có hộ gia đình này trong phạm vi của bạn", "no such household visible to you";
    HAMLET_NOT_HELD => "Tổ của bạn không phụ trách thôn, tổ dân phố này", "no team of yours holds this hamlet";
    HOUSEHOLD_ID_TAKEN => "Mã hộ này đã được dùng cho nội dung khác", "this household id is taken by other content";
    DUPLICATE_LABEL => "Thôn, tổ dân phố đã có một hộ đang mở với nhãn này", "an open household of this hamlet has this label";
    HOUSEHOLD_CLOSED => "Hộ gia đình đã đóng, không thay đổi được", "the household is closed and cannot change";
    FUTURE_VERSION => "Máy chủ chưa có phiên bản này", "the server has no such version yet";
    ADULTS_OVER_MEMBERS => "Không được lớn hơn số nhân khẩu (members)", "may not exceed members";
    DUPLICATE_OF_REQUIRED => "Bắt buộc khi lý do là duplicate", "required when the reason is duplicate";
    DUPLICATE_OF_ONLY => "Chỉ dùng khi lý do là duplicate", "only when the reason is duplicate";
    NOT_AN_OPEN_HOUSEHOLD => "Phải là một hộ khác đang mở của cùng xã/phường", "must be another open household of the same commune";
    UNKNOWN_HOUSEHOLD => "Không phải hộ gia đình của xã/phường này", "not a household of this commune";
    DEFINITION_SETTERS_ONLY => "Chỉ quản trị viên hoặc cán bộ tỉnh được đặt tiêu chí gia đình số", "only an admin or the province's supervisor sets the definition";
    NOT_A_PROVINCE => "Phải là mã tỉnh, thành phố", "must be a province code";
    CRITERIA_EMPTY => "Hãy nêu ít nhất một tiêu chí", "name at least one criterion";
}

/// `N to M characters`.
pub fn length(min: usize, max: usize) -> Text {
    Text::owned(
        format!("Từ {min} đến {} ký tự", thousands(max)),
        format!("{min} to {} characters", thousands(max)),
    )
}

/// `at least N characters`.
pub fn at_least_chars(min: usize) -> Text {
    Text::owned(
        format!("Ít nhất {min} ký tự"),
        format!("at least {min} characters"),
    )
}

/// `at most N characters`.
pub fn at_most_chars(max: usize) -> Text {
    Text::owned(
        format!("Tối đa {} ký tự", thousands(max)),
        format!("at most {} characters", thousands(max)),
    )
}

/// `at most N items` (a list).
pub fn at_most_items(max: usize) -> Text {
    Text::owned(format!("Tối đa {max} mục"), format!("at most {max} items"))
}

/// `at most N days` (a period).
pub fn at_most_days(max: i64) -> Text {
    Text::owned(
        format!("Tối đa {} ngày", thousands(max as usize)),
        format!("at most {} days", thousands(max as usize)),
    )
}

/// A figure larger than another that includes it.
pub fn at_most_field(other: &str) -> Text {
    Text::owned(
        format!("Không được lớn hơn {other}"),
        format!("must not exceed {other}"),
    )
}

/// A number outside `min..=max`.
pub fn range(min: impl fmt::Display, max: impl fmt::Display) -> Text {
    Text::owned(format!("Từ {min} đến {max}"), format!("{min} to {max}"))
}

/// An `occurred_at` older than the late-sync window.
pub fn too_old(days: i64) -> Text {
    Text::owned(
        format!("Cũ hơn thời hạn đồng bộ muộn {days} ngày"),
        format!("older than the late-sync window of {days} days"),
    )
}

/// A list `limit` out of range.
pub fn limit_range(max: i64) -> Text {
    Text::owned(
        format!("Phải từ 1 đến {max}"),
        format!("must be between 1 and {max}"),
    )
}

/// `must be one of a, b, c`, the values as the API spells them.
pub fn one_of(allowed: &[String]) -> Text {
    let list = allowed.join(", ");
    Text::owned(
        format!("Phải là một trong: {list}"),
        format!("must be one of: {list}"),
    )
}

/// `at most N targets`.
pub fn too_many_targets(max: usize) -> Text {
    Text::owned(
        format!("Tối đa {} chỉ tiêu", thousands(max)),
        format!("at most {} targets", thousands(max)),
    )
}

/// A sync batch over the limit.
pub fn too_many_records(max: usize, got: usize) -> Text {
    Text::owned(
        format!(
            "Tối đa {} bản ghi mỗi lần đồng bộ (đã gửi {}); hãy chia nhỏ",
            thousands(max),
            thousands(got)
        ),
        format!(
            "at most {} records per batch (got {}); split it",
            thousands(max),
            thousands(got)
        ),
    )
}

/// Malformed JSON.
pub fn malformed_json(line: usize, column: usize) -> Text {
    Text::owned(
        format!("JSON sai cú pháp ở dòng {line}, cột {column}"),
        format!("malformed JSON at line {line} column {column}"),
    )
}

/// The body could not be read.
pub fn reading_body(error: &str) -> Text {
    Text::owned(
        format!("Không đọc được dữ liệu gửi lên: {error}"),
        format!("reading body: {error}"),
    )
}

/// A stalled body.
pub fn body_stalled(secs: u64) -> Text {
    Text::owned(
        format!("Không nhận được phần nào của dữ liệu trong {secs} giây"),
        format!("no part of the body arrived for {secs} s"),
    )
}

/// A trickling body.
pub fn body_too_slow(secs: u64) -> Text {
    Text::owned(
        format!("Dữ liệu gửi lên mất quá {secs} giây"),
        format!("the body took longer than {secs} s to arrive"),
    )
}

/// A body over the limit.
pub fn body_too_large(limit: usize) -> Text {
    Text::owned(
        format!("Dữ liệu gửi lên vượt quá {limit} byte"),
        format!("request body exceeds {limit} bytes"),
    )
}

/// A rate limit.
pub fn retry_in(secs: u64) -> Text {
    Text::owned(
        format!("Quá nhiều lần thử; hãy thử lại sau {secs} giây"),
        format!("too many attempts, retry in {secs} s"),
    )
}

/// A known path with another method.
pub fn path_answers(methods: &str) -> Text {
    Text::owned(
        format!("Địa chỉ này chỉ nhận {methods}"),
        format!("this path answers {methods}"),
    )
}

/// A malformed query parameter.
pub fn bad_query(field: &str) -> Text {
    Text::owned(
        format!("Tham số truy vấn {field} sai cú pháp"),
        format!("malformed query parameter {field}"),
    )
}

/// The detail of a 422: the one field, or how many.
pub fn invalid_fields(count: usize) -> Text {
    Text::owned(
        format!("{count} trường không hợp lệ"),
        format!("{count} fields are invalid"),
    )
}

/// A role creating users at or above its own.
pub fn lower_role_users_only(role: &str) -> Text {
    Text::owned(
        format!("Vai trò {role} chỉ được tạo người dùng có vai trò thấp hơn"),
        format!("a {role} may only create users of a lower role"),
    )
}

/// Digits grouped by commas (`1,000`), as both languages' messages show them.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A change refused because an accepted certification locks the record's period.
pub fn period_locked(certification: &str) -> Text {
    Text::owned(
        format!(
            "Kỳ này của xã đã được chứng nhận và khoá (chứng nhận {certification}); hãy đề nghị tỉnh mở lại"
        ),
        format!(
            "the commune's period is certified and locked (certification {certification}); ask the province to reopen it"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_unless_english_is_preferred() {
        for (header, lang) in [
            (None, Lang::Vi),
            (Some(""), Lang::Vi),
            (Some("en"), Lang::En),
            (Some("en-US,en;q=0.9"), Lang::En),
            (Some("vi-VN,vi;q=0.9,en;q=0.8"), Lang::Vi),
            (Some("fr, en;q=0.5"), Lang::En),
            (Some("en;q=0.5, vi;q=0.5"), Lang::Vi),
            (Some("en;q=0"), Lang::Vi),
            (Some("de, fr"), Lang::Vi),
            (Some("*"), Lang::Vi),
        ] {
            assert_eq!(Lang::negotiate(header), lang, "{header:?}");
        }
    }

    #[test]
    fn messages_carry_their_values_in_both_languages() {
        let m = too_many_records(1000, 1001);
        assert_eq!(
            m.get(Lang::En),
            "at most 1,000 records per batch (got 1,001); split it"
        );
        assert!(m.get(Lang::Vi).starts_with("Tối đa 1,000 bản ghi"));
        assert_eq!(length(1, 500).get(Lang::Vi), "Từ 1 đến 500 ký tự");
        assert_eq!(REQUIRED.get(Lang::En), "this field is required");
        assert_eq!(thousands(1_000_000_000), "1,000,000,000");
    }
}
