//! The Chinese sentences (中文), the language of the original program.
//!
//! Every line the original's README shows (`../original/README.zh.md`) is
//! written here exactly as it reads there, with only the values differing:
//! the server's banner and command help, the client's connection lines and
//! command help, chat lines, `[私信]`, the `[文件传输]` and `[文件接收]`
//! lines, `📋 在线用户列表` and `👤 用户信息`. Commands and messages the
//! original does not have are written in the same style: `/cmd <参数> -
//! 说明` help lines, ASCII `: ` after a label, a name in `'…'` after `用户`.
//! The server is `服务器` on a Chinese screen; on the wire it stays
//! `server` ([`SERVER_NAME`]).
//!
//! The original shows sizes in plain bytes (`(2048576 字节)`) where it
//! announces a file; other sentences use [`Text::bytes`] ("1.5 MiB").

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::path::{Component, Path};

use super::terminal::{for_terminal, one_line};
use super::{
    Audience, Expected, Text, VERSION, code_point, escaped, http_asked, names_joined, rate,
    room_tag, rooms_joined, scaled_bytes,
};
use crate::base64;
use crate::cli::ArgError;
use crate::command::PathError;
use crate::crypto::scram::{
    CHANNEL_BINDING, MAX_ITERATIONS as SCRAM_MAX_ITERATIONS, MAX_MESSAGE_LEN, MAX_NONCE_LEN,
    MAX_SALT_LEN as SCRAM_MAX_SALT_LEN, MIN_ITERATIONS as SCRAM_MIN_ITERATIONS, SALT_LEN,
    ScramError,
};
use crate::crypto::sha256::DIGEST_LEN;
use crate::filetypes::{ExtListError, MAX_EXT_CHARS, MAX_EXTS, Refused};
use crate::frame::FrameError;
use crate::json::{ErrorKind, MAX_DEPTH, ParseError};
use crate::message::client::MAX_HISTORY_LIMIT;
use crate::message::{AdminAction, DecodeError, LeaveReason, Role};
use crate::names::{BadChar, MAX_NAME_CHARS, NameError, SERVER_NAME};
use crate::server::ServeError;
use crate::server::accounts::{
    AccountError, EntryProblem, FILE_VERSION, FileProblem, KEY_LEN, LoadError, MAX_ACCOUNTS,
    MAX_FILE_BYTES as ACCOUNTS_MAX_FILE_BYTES, MAX_ITERATIONS, MAX_SALT_LEN, MIN_ITERATIONS,
    MIN_SALT_LEN, VerifierError,
};
use crate::server::accounts::{SecretError, SecretProblem};
use crate::server::admin::AdminError;
use crate::server::history::{HistoryError, OpenReport, Problem, Progress, RoomRecovery};
use crate::server::mutes::{MAX_MUTE, MAX_MUTED, MuteError};
use crate::transfer::{MAX_CHUNK_SIZE, OpenError, Special, TransferError};
use crate::transport::http::{HttpError, MAX_HEAD, Malformed, Upgrade};
use crate::transport::sniff::MAX_FRAME_CAP;
use crate::transport::websocket::WsError;
use crate::unicode::UNICODE_VERSION;

/// The server's name on a Chinese screen.
const SERVER: &str = "服务器";

/// Chinese.
pub struct Zh;

impl Text for Zh {
    // --- Words used inside sentences -------------------------------------

    fn bytes(&self, n: u64) -> String {
        scaled_bytes(n).unwrap_or_else(|| format!("{n} 字节"))
    }

    fn io_error(&self, error: &io::Error) -> String {
        use io::ErrorKind::*;
        let words = match error.kind() {
            NotFound => "找不到文件或目录",
            PermissionDenied => "权限不足",
            ConnectionRefused => "连接被拒绝",
            ConnectionReset => "连接被对方重置",
            ConnectionAborted => "连接被中止",
            NotConnected => "尚未连接",
            AddrInUse => "地址已被占用",
            AddrNotAvailable => "地址不可用",
            HostUnreachable => "无法到达主机",
            NetworkUnreachable => "无法到达网络",
            NetworkDown => "网络已断开",
            BrokenPipe => "对方已关闭连接",
            AlreadyExists => "已有同名文件",
            IsADirectory => "这是一个文件夹",
            NotADirectory => "路径中有一部分不是文件夹",
            DirectoryNotEmpty => "文件夹不是空的",
            ReadOnlyFilesystem => "文件系统是只读的",
            StorageFull => "磁盘空间已满",
            FileTooLarge => "文件太大",
            TimedOut => "操作超时",
            WouldBlock => "操作会阻塞",
            Interrupted => "操作被中断",
            UnexpectedEof => "数据意外结束",
            InvalidInput => "参数无效",
            InvalidData => "数据无效",
            OutOfMemory => "内存不足",
            Unsupported => "不支持此操作",
            // Anything rarer keeps the system's own (English) words.
            _ => return error.to_string(),
        };
        match error.raw_os_error() {
            Some(code) => format!("{words} (os error {code})"),
            None => words.to_string(),
        }
    }

    fn expected(&self, what: Expected) -> String {
        match what {
            Expected::Port => "0 到 65535 之间的端口号".to_string(),
            Expected::Positive => "大于 0 的整数".to_string(),
            Expected::Smaller => "更小的数".to_string(),
            Expected::ChunkSize => format!("1 到 {MAX_CHUNK_SIZE} 字节之间的分块大小"),
            Expected::TraceMode => "空或 \"hex\"（如 --trace=hex）".to_string(),
            Expected::Lang => "\"en\"（英文）或 \"zh\"（中文）".to_string(),
            Expected::Count => "不小于 0 的整数".to_string(),
            Expected::NoValue => "不带值的开关".to_string(),
            Expected::String => "字符串".to_string(),
            Expected::Object => "对象".to_string(),
            Expected::WholeNumber => "整数".to_string(),
            Expected::NonNegative => "不小于 0 的整数".to_string(),
            Expected::Bool => "true 或 false".to_string(),
            Expected::StringList => "字符串列表".to_string(),
            Expected::RoomList => "由 {\"name\", \"members\"} 对象组成的列表".to_string(),
            Expected::FileTypes => "带有 \"allow\" 和 \"deny\" 两个列表的对象".to_string(),
            Expected::Iterations => {
                format!("{SCRAM_MIN_ITERATIONS} 到 {SCRAM_MAX_ITERATIONS} 之间的次数")
            }
            Expected::FrameCap => format!(
                "不超过 {MAX_FRAME_CAP} ({} MiB) 的值: 更长的帧的第一个字节可能是大写字母，\
                 而在这个端口上，大写字母开头的是 HTTP 请求",
                MAX_FRAME_CAP >> 20
            ),
        }
    }

    // --- Errors a person sees ----------------------------------------------

    fn name_error(&self, error: &NameError) -> String {
        match error {
            NameError::Empty => "名字不能为空".to_string(),
            NameError::TooLong => format!("名字最多 {MAX_NAME_CHARS} 个字符"),
            NameError::BadCharacter(' ', BadChar::Space) => "名字不能包含空格".to_string(),
            // As in English: the code point, never the character itself.
            NameError::BadCharacter(c, why) => {
                let code = code_point(*c);
                match why {
                    BadChar::Space => format!("名字不能包含空白字符（{code} 就是一个）"),
                    BadChar::Control => {
                        format!("名字不能包含 {code}，这是一个控制字符（它能移动光标或擦除文字）")
                    }
                    BadChar::Format => format!(
                        "名字不能包含 {code}，这是一个不可见的格式字符（它能隐藏文字或改变文字的顺序）"
                    ),
                    BadChar::Separator => format!("名字不能包含 {code}，这是一个行或段落分隔符"),
                    BadChar::PrivateUse => format!(
                        "名字不能包含 {code}，这是一个私用区字符（它在每台电脑上显示得都不一样）"
                    ),
                    BadChar::Unassigned => {
                        format!("名字不能包含 {code}，Unicode {UNICODE_VERSION} 尚未分配这个字符")
                    }
                }
            }
            NameError::BadStart(c) => format!("名字不能以 '{c}' 开头"),
            NameError::Reserved(name) => format!("名字 \"{name}\" 是保留的"),
            NameError::LooksLike(name) => format!("它读起来是 \"{name}\"，这个名字是保留的"),
        }
    }

    fn arg_error(&self, error: &ArgError) -> String {
        match error {
            ArgError::UnknownFlag(flag) => format!("未知选项 --{}", one_line(flag)),
            ArgError::MissingValue(flag) => format!("选项 --{} 需要一个值", one_line(flag)),
            ArgError::BadValue {
                flag,
                value,
                expected,
            } => format!(
                "--{} 必须是{}，而不是 \"{}\"",
                one_line(flag),
                self.expected(*expected),
                one_line(value)
            ),
            ArgError::Unexpected(arg) => format!("多余的参数 \"{}\"", one_line(arg)),
            ArgError::Refused { flag, why } => format!("--{}: {}", one_line(flag), one_line(why)),
        }
    }

    fn path_error(&self, error: &PathError) -> String {
        match error {
            PathError::Missing => "没有给出文件",
            PathError::UnclosedQuote => "文件名两边的引号没有闭合",
            PathError::TextAfterQuote => "带引号的文件名后面有多余的文字",
        }
        .to_string()
    }

    fn open_error(&self, error: &OpenError) -> String {
        match error {
            OpenError::NotFound => "没有这个文件".to_string(),
            OpenError::IsDirectory => "这是一个文件夹，不是文件".to_string(),
            OpenError::NotAFile(Special::Fifo) => {
                "这是一个命名管道 (FIFO)，不是普通文件".to_string()
            }
            OpenError::NotAFile(Special::Device) => "这是一个设备，不是普通文件".to_string(),
            OpenError::NotAFile(Special::Socket) => "这是一个套接字，不是普通文件".to_string(),
            OpenError::NotAFile(Special::Other) => "这不是普通文件".to_string(),
            OpenError::Unreadable(e) => format!("无法读取: {}", self.io_error(e)),
        }
    }

    fn transfer_error(&self, error: &TransferError) -> String {
        match error {
            TransferError::OutOfOrder { expected, got } => {
                format!("收到了第 {got} 块，应该是第 {expected} 块")
            }
            TransferError::TooMuchData { size } => {
                format!("收到的数据超过了声明的 {size} 字节")
            }
            TransferError::BadChunk(e) => {
                format!("有一块数据不是有效的 base64（{}）", self.base64_error(e))
            }
            TransferError::SizeMismatch { expected, received } => {
                format!("收到了 {received} 字节，但文件应该有 {expected} 字节")
            }
            TransferError::ChecksumMismatch => "SHA-256 校验和不匹配: 数据已损坏".to_string(),
            TransferError::Io(e) => format!("无法写入文件: {}", self.io_error(e)),
        }
    }

    fn frame_error(&self, error: &FrameError) -> String {
        match error {
            FrameError::TooLarge { len, limit } => {
                format!("{len} 字节的帧超过了 {limit} 字节的上限")
            }
            FrameError::ZeroLength => "长度为零的帧".to_string(),
            FrameError::Truncated { expected, received } => {
                format!("连接在一帧的中途关闭（{expected} 字节中只收到了 {received} 字节）")
            }
            FrameError::Io(e) => self.io_error(e),
        }
    }

    fn decode_error(&self, error: &DecodeError) -> String {
        match error {
            DecodeError::Json(e) => self.json_error(e),
            DecodeError::NotAnObject => "消息必须是 JSON 对象".to_string(),
            DecodeError::MissingField(field) => format!("消息没有 \"{field}\" 字段"),
            DecodeError::WrongType { field, expected } => {
                format!("\"{field}\" 必须是{}", self.expected(*expected))
            }
            DecodeError::BadValue { field, value } => {
                format!("\"{field}\" 不能是 \"{}\"", one_line(value))
            }
            DecodeError::UnknownType(t) => format!("未知的消息类型 \"{}\"", one_line(t)),
        }
    }

    fn json_error(&self, error: &ParseError) -> String {
        format!(
            "第 {} 字节处: {}",
            error.offset(),
            self.json_error_kind(error.kind())
        )
    }

    fn json_error_kind(&self, kind: &ErrorKind) -> String {
        match kind {
            ErrorKind::InvalidUtf8 => "无效的 UTF-8".to_string(),
            ErrorKind::UnexpectedEnd => "输入意外结束".to_string(),
            ErrorKind::ExpectedValue => "这里应该是一个 JSON 值".to_string(),
            ErrorKind::ExpectedKey => "这里应该是 '\"'，作为对象键的开头".to_string(),
            ErrorKind::ExpectedColon => "对象键后面应该是 ':'".to_string(),
            ErrorKind::ExpectedCommaOrCloseBracket => "数组元素后面应该是 ',' 或 ']'".to_string(),
            ErrorKind::ExpectedCommaOrCloseBrace => "对象成员后面应该是 ',' 或 '}'".to_string(),
            ErrorKind::TrailingComma => "右括号前有多余的逗号".to_string(),
            ErrorKind::InvalidLiteral => "无效的字面量（应该是 true、false 或 null）".to_string(),
            ErrorKind::LeadingZero => "数字有前导零".to_string(),
            ErrorKind::InvalidNumber => "无效的数字（这里应该是一个数位）".to_string(),
            ErrorKind::ControlCharacter => "字符串中有未转义的控制字符".to_string(),
            ErrorKind::InvalidEscape => "字符串中有无效的转义序列".to_string(),
            ErrorKind::LoneSurrogate => "\\u 转义中有不成对的代理项".to_string(),
            ErrorKind::TrailingCharacters => "JSON 值后面有多余的文字".to_string(),
            ErrorKind::TooDeep => format!("嵌套超过了 {MAX_DEPTH} 层"),
        }
    }

    fn base64_error(&self, error: &base64::DecodeError) -> String {
        match *error {
            base64::DecodeError::InvalidLength { len } => {
                format!("base64 文本的长度必须是 4 的倍数，但它是 {len}")
            }
            base64::DecodeError::InvalidByte { offset, byte } => {
                format!("第 {offset} 字节处有无效的 base64 字符 0x{byte:02x}")
            }
            base64::DecodeError::InvalidPadding { offset } => format!(
                "第 {offset} 字节处的 base64 填充无效: '=' 只能是最后一个或两个字符，\
                 且它前面未用到的位必须为零"
            ),
        }
    }

    fn ws_error(&self, error: &WsError) -> String {
        match error {
            WsError::Unmasked => "客户端的帧没有掩码".to_string(),
            WsError::ReservedBits(bits) => format!("设置了保留位 {bits:#05b}"),
            WsError::ReservedOpcode(op) => format!("保留的操作码 {op:#x}"),
            WsError::BadLength => "帧的长度没有用最短的形式写出".to_string(),
            WsError::FragmentedControl => "控制帧被分片了".to_string(),
            WsError::ControlTooLong => "控制帧超过了 125 字节".to_string(),
            WsError::UnexpectedContinuation => "延续帧前面没有可以延续的消息".to_string(),
            WsError::UnfinishedMessage => "上一条消息还没结束，新消息就开始了".to_string(),
            WsError::BadClose => "格式错误的关闭帧".to_string(),
            WsError::Binary => "二进制消息（只接受文本）".to_string(),
            WsError::NotUtf8 => "不是 UTF-8 的文本消息".to_string(),
            WsError::TooLarge { len, limit } => {
                format!("{len} 字节的消息超过了 {limit} 字节的上限")
            }
            WsError::Truncated => "连接在一帧的中途关闭".to_string(),
            WsError::Io(e) => self.io_error(e),
        }
    }

    fn http_error(&self, error: &HttpError) -> String {
        match error {
            HttpError::Malformed(why) => {
                format!("格式错误的请求: {}", self.http_malformed(*why))
            }
            HttpError::HeadTooLarge => format!("请求头超过了 {MAX_HEAD} 字节"),
            HttpError::VersionNotSupported => "不支持这个 HTTP 版本".to_string(),
            HttpError::MethodNotAllowed => "只提供 GET".to_string(),
            HttpError::NotFound => "没有这个页面".to_string(),
            HttpError::BadUpgrade(why) => {
                format!("不是有效的 WebSocket 握手: {}", self.http_upgrade(*why))
            }
            HttpError::WebSocketVersion => "只支持 WebSocket 第 13 版".to_string(),
            HttpError::ForbiddenOrigin => "拒绝来自其他网站页面的 WebSocket 请求".to_string(),
            HttpError::Truncated => "连接在请求头的中途关闭".to_string(),
            HttpError::TimedOut => "请求头没有按时到达".to_string(),
            HttpError::Io(e) => self.io_error(e),
        }
    }

    fn http_malformed(&self, problem: Malformed) -> String {
        match problem {
            Malformed::LfWithoutCr => "有一行以 LF 结尾，前面没有 CR",
            Malformed::CrWithoutLf => "CR 后面没有跟着 LF",
            Malformed::ControlInHead => "请求头中有控制字符",
            Malformed::NoEmptyLine => "请求头没有以空行结束",
            Malformed::LineWithoutCrLf => "有一行不是以 CR LF 结尾的",
            Malformed::EmptyLineInside => "请求头中间有空行",
            Malformed::RequestLine => "请求行不是以单个空格分隔的 METHOD TARGET VERSION",
            Malformed::MethodNotToken => "请求方法不是一个 token",
            Malformed::BadVersion => "版本不是 HTTP/x.y",
            Malformed::TargetWithoutSlash => "请求目标不是以 / 开头的",
            Malformed::BadPercent => "请求目标中的 % 后面不是两个十六进制数字",
            Malformed::BadTargetCharacter => "请求目标中有不允许的字符",
            Malformed::FoldedHeader => "有一个头部行折到了下一行",
            Malformed::HeaderWithoutColon => "有一个头部行没有冒号",
            Malformed::HeaderNameNotToken => "有一个头部名不是 token",
            Malformed::ControlInHeader => "头部的值中有控制字符",
            Malformed::TwoHosts => "有不止一个 Host 头部",
            Malformed::NoHost => "HTTP/1.1 请求没有 Host 头部",
            Malformed::BadHost => "Host 头部不是 HOST 或 HOST:PORT",
        }
        .to_string()
    }

    fn http_upgrade(&self, problem: Upgrade) -> String {
        match problem {
            Upgrade::RepeatedHeader => "只能出现一次的头部出现了两次",
            Upgrade::NotHttp11 => "WebSocket 需要 HTTP/1.1",
            Upgrade::NoConnectionUpgrade => "Connection 中没有 \"upgrade\"",
            Upgrade::NoUpgradeWebsocket => "Upgrade 中没有 \"websocket\"",
            Upgrade::NoVersion => "没有 Sec-WebSocket-Version",
            Upgrade::NoKey => "没有 Sec-WebSocket-Key",
            Upgrade::BadKey => "Sec-WebSocket-Key 不是 base64 编码的 16 个字节",
            Upgrade::Body => "升级请求带有正文",
        }
        .to_string()
    }

    fn scram_error(&self, error: &ScramError) -> String {
        match error {
            ScramError::TooLong { len } => {
                format!("SCRAM 消息太长: {len} 字节，最多 {MAX_MESSAGE_LEN}")
            }
            ScramError::MissingAttribute { expected } => {
                format!("SCRAM 消息在应该出现 `{expected}=` 的地方结束了")
            }
            ScramError::UnexpectedAttribute { expected, found } => {
                format!("SCRAM 属性 `{found}=` 出现在应该是 `{expected}=` 的位置")
            }
            ScramError::MisplacedAttribute { found } => {
                format!("SCRAM 属性 `{found}=` 的位置不对")
            }
            ScramError::BadAttribute => "SCRAM 消息中有一部分不是逗号之间的 `字母=值`".to_string(),
            ScramError::EmptyValue { attribute } => format!("SCRAM 属性 `{attribute}=` 为空"),
            ScramError::BadGs2Header => "SCRAM 消息不是以头部 `n,,` 开始的".to_string(),
            ScramError::ChannelBindingUnsupported => {
                "不支持 SCRAM 通道绑定: 头部必须是 `n,,`".to_string()
            }
            ScramError::AuthzidUnsupported => {
                "不支持 SCRAM 授权身份 (`a=`): 请以你自己的身份登录".to_string()
            }
            ScramError::MandatoryExtension => "不支持 SCRAM 强制扩展 (`m=`)".to_string(),
            ScramError::BadNameEscape => "SCRAM 用户名中的 `=` 不是 `=2C` 或 `=3D`".to_string(),
            ScramError::NulInName => "SCRAM 用户名包含 NUL 字符".to_string(),
            ScramError::BadNonce => {
                format!("SCRAM 随机数必须是 1 到 {MAX_NONCE_LEN} 个可打印的 ASCII 字符，且不含逗号")
            }
            ScramError::NonceMismatch => "SCRAM 随机数与本次登录的不一致".to_string(),
            ScramError::BadBase64 { attribute, error } => format!(
                "SCRAM 属性 `{attribute}=` 不是 base64: {}",
                self.base64_error(error)
            ),
            ScramError::BadIterationCount => "SCRAM 迭代次数不是没有前导零的正整数".to_string(),
            ScramError::IterationsTooLow { iterations } => {
                format!("SCRAM 迭代次数 {iterations} 太低: 至少要 {SCRAM_MIN_ITERATIONS}")
            }
            ScramError::IterationsTooHigh => {
                format!("SCRAM 迭代次数太高: 最多 {SCRAM_MAX_ITERATIONS}")
            }
            ScramError::BadSaltLength { len } => {
                format!("SCRAM 盐有 {len} 字节: 必须在 {SALT_LEN} 到 {SCRAM_MAX_SALT_LEN} 之间")
            }
            ScramError::ChannelBindingMismatch => {
                format!("SCRAM `c=` 必须是 `{CHANNEL_BINDING}`（不使用通道绑定）")
            }
            ScramError::BadKeyLength { attribute, len } => {
                format!("SCRAM 属性 `{attribute}=` 有 {len} 字节，而不是 {DIGEST_LEN}")
            }
            ScramError::AuthFailed => "用户名或密码错误".to_string(),
            ScramError::ServerSignatureMismatch => {
                "服务器未能证明它知道这个账户: 它不是注册这个账户的那台服务器".to_string()
            }
            ScramError::ServerError(name) => format!("服务器拒绝了登录: {}", one_line(name)),
            ScramError::BadServerError => "SCRAM 服务器错误不是一个可读的单词".to_string(),
            ScramError::Random(error) => {
                format!("无法读取系统的随机源: {}", self.io_error(error))
            }
        }
    }

    fn verifier_error(&self, error: &VerifierError) -> String {
        match error {
            VerifierError::BadBase64 { field, error } => format!(
                "{} 不是有效的 base64（{}）",
                field.key(),
                self.base64_error(error)
            ),
            VerifierError::KeyLength { field, len } => {
                format!("{} 必须是 {KEY_LEN} 字节，而不是 {len}", field.key())
            }
            VerifierError::SaltTooShort { len } => {
                format!("盐至少要 {MIN_SALT_LEN} 字节，而不是 {len}")
            }
            VerifierError::SaltTooLong { len } => {
                format!("盐最多 {MAX_SALT_LEN} 字节，而不是 {len}")
            }
            VerifierError::TooFewIterations { iterations } => {
                format!("至少需要 {MIN_ITERATIONS} 次迭代，而不是 {iterations}")
            }
            VerifierError::TooManyIterations { iterations } => {
                format!("最多允许 {MAX_ITERATIONS} 次迭代，而不是 {iterations}")
            }
        }
    }

    fn account_error(&self, error: &AccountError) -> String {
        match error {
            AccountError::Taken => "这个名字已经注册过了".to_string(),
            AccountError::NoSuchAccount => "这个名字没有注册".to_string(),
            AccountError::BadName(e) => self.name_error(e),
            AccountError::Weak(e) => format!("密码的验证信息被拒绝: {}", self.verifier_error(e)),
            AccountError::Full => format!("服务器已有 {MAX_ACCOUNTS} 个账户，达到了上限"),
            AccountError::Save(e) => {
                format!("无法写入账户文件（{}）；没有做任何更改", self.io_error(e))
            }
        }
    }

    fn accounts_load_error(&self, error: &LoadError) -> String {
        let path = error.path.display().to_string();
        let problem = match &error.problem {
            FileProblem::Unreadable(e) => self.io_error(e),
            FileProblem::TooLarge { len } => format!(
                "它有 {}，而账户文件最多 {}",
                self.bytes(*len),
                self.bytes(ACCOUNTS_MAX_FILE_BYTES)
            ),
            FileProblem::Empty => "它是空的（删除它即可从零个账户开始）".to_string(),
            FileProblem::NotJson(e) => format!("它不是有效的 JSON（{}）", self.json_error(e)),
            FileProblem::NotAnObject => "它不是 JSON 对象".to_string(),
            FileProblem::Version(None) => "它没有 \"version\"".to_string(),
            FileProblem::Version(Some(v)) => format!(
                "它的版本是 {}；本服务器读取的是第 {FILE_VERSION} 版",
                one_line(v)
            ),
            FileProblem::NoAccountList => "它没有 \"accounts\" 列表".to_string(),
            FileProblem::TooManyAccounts { count } => {
                format!("它列出了 {count} 个账户，超过了服务器最多保存的 {MAX_ACCOUNTS} 个")
            }
            FileProblem::Entry {
                index,
                name,
                problem,
            } => {
                let which = match name {
                    Some(name) => format!("第 {} 个账户（\"{}\"）", index + 1, one_line(name)),
                    None => format!("第 {} 个账户", index + 1),
                };
                let what = match problem {
                    EntryProblem::NotAnObject => "不是 JSON 对象".to_string(),
                    EntryProblem::Missing(field) => format!("没有 \"{field}\""),
                    EntryProblem::WrongType { field, expected } => {
                        format!("的 \"{field}\" 不是{}", self.expected(*expected))
                    }
                    EntryProblem::BadName(e) => format!("的名字有问题: {}", self.name_error(e)),
                    EntryProblem::UnknownRole(role) => format!(
                        "的角色是 \"{}\"；角色只能是 \"admin\" 或 \"member\"",
                        one_line(role)
                    ),
                    EntryProblem::Verifier(e) => format!("无法使用: {}", self.verifier_error(e)),
                    EntryProblem::Duplicate { first } => {
                        format!("与第 {} 个账户同名", first + 1)
                    }
                };
                format!("{which}{what}")
            }
        };
        format!(
            "无法使用账户文件 {}: {problem}。在文件修好或移走之前，服务器不会启动。",
            one_line(&path)
        )
    }

    fn mute_error(&self, error: &MuteError) -> String {
        match error {
            MuteError::Zero => "禁言至少需要 1 秒".to_string(),
            MuteError::TooLong => format!("禁言最长 {} 秒（一周）", MAX_MUTE.as_secs()),
            MuteError::Full => format!("已有 {MAX_MUTED} 个名字被禁言"),
        }
    }

    fn ext_list_error(&self, error: &ExtListError) -> String {
        match error {
            ExtListError::EmptyItem { position } => {
                format!("扩展名列表的第 {position} 项为空")
            }
            ExtListError::InnerDot { item } => format!(
                "\"{}\" 中间有点: 只有名字的最后一个扩展名才算数，所以只写那一个",
                one_line(item)
            ),
            ExtListError::BadCharacter { item, c } if c.is_whitespace() => {
                format!("\"{}\" 包含空格", one_line(item))
            }
            ExtListError::BadCharacter { item, c } => format!(
                "\"{}\" 包含 {}，扩展名不能包含这个字符",
                one_line(item),
                code_point(*c)
            ),
            ExtListError::TooLong { item } => {
                format!("\"{}\" 超过了 {MAX_EXT_CHARS} 个字符", one_line(item))
            }
            ExtListError::TooMany { count } => {
                format!("列表最多可以有 {MAX_EXTS} 个扩展名，而不是 {count}")
            }
        }
    }

    fn file_refused(&self, refused: &Refused) -> String {
        match refused {
            Refused::Denied { ext } => format!("这里不接受以 .{} 结尾的文件", one_line(ext)),
            Refused::NotAllowed { ext: Some(ext) } => {
                format!("以 .{} 结尾的文件不在这里接受的类型之中", one_line(ext))
            }
            Refused::NotAllowed { ext: None } => {
                "没有扩展名的文件不在这里接受的类型之中".to_string()
            }
        }
    }

    fn history_error(&self, error: &HistoryError) -> String {
        match error {
            HistoryError::BadRoomName => "这个房间名无法保存在历史记录中".to_string(),
            HistoryError::Closed => "历史记录已关闭: 服务器正在停止".to_string(),
            HistoryError::Folder { dir, error } => format!(
                "无法使用历史记录文件夹 {}: {}",
                dir.display(),
                self.io_error(error)
            ),
            HistoryError::InUse { dir } => format!(
                "历史记录文件夹 {} 正被另一台服务器使用\
                 （用 --history DIR 给这台服务器单独的文件夹，或用 --no-history 运行它）",
                dir.display()
            ),
            HistoryError::Read { path, error } => format!(
                "无法读取历史记录文件 {}: {}\
                 （没有它服务器不会启动，以免有房间从 1 重新编号）",
                path.display(),
                self.io_error(error)
            ),
        }
    }

    fn history_problem(&self, problem: &Problem) -> String {
        match problem {
            Problem::WriteFailed { room, error } => format!(
                "历史记录: 无法写入房间 \"{}\" 的文件: {}；\
                 在能够重新写入之前，它的新消息只保存在内存中",
                one_line(room),
                self.io_error(error)
            ),
            Problem::WriteResumed { room, lost } => format!(
                "历史记录: 房间 \"{}\" 的文件又可以写入了；期间有 {lost} 条消息没有写入磁盘",
                one_line(room)
            ),
            Problem::SyncFailed { room, error } => {
                let what = match room {
                    Some(room) => format!(
                        "历史记录: 房间 \"{}\" 的 fsync 失败: {}",
                        one_line(room),
                        self.io_error(error)
                    ),
                    None => format!(
                        "历史记录: 历史记录文件夹的 fsync 失败: {}",
                        self.io_error(error)
                    ),
                };
                format!("{what}；断电时最后一秒的消息可能会丢失")
            }
            Problem::CompactFailed { room, error } => format!(
                "历史记录: 无法压缩房间 \"{}\" 的文件: {}；\
                 旧文件完整保留，并会一直变大，直到压缩成功",
                one_line(room),
                self.io_error(error)
            ),
            Problem::QueueFull { dropped } => {
                format!("历史记录: 磁盘跟不上了；{dropped} 条消息只保存在内存中")
            }
        }
    }

    fn history_recovery(&self, room: &RoomRecovery) -> String {
        let mut parts = Vec::new();
        if room.corrupt > 0 {
            let listed: Vec<String> = room.corrupt_lines.iter().map(u64::to_string).collect();
            let more = room.corrupt.saturating_sub(listed.len());
            let mut part = format!(
                "跳过了 {} 个损坏的行（第 {} 行",
                room.corrupt,
                listed.join("、")
            );
            if more > 0 {
                part.push_str(&format!("，另外还有 {more} 行"));
            }
            part.push('）');
            parts.push(part);
        }
        if let Some(torn) = room.torn {
            parts.push(format!(
                "截掉了不完整的最后一行（第 {} 行，{} 字节）",
                torn.line, torn.bytes
            ));
        }
        format!(
            "历史记录: 房间 \"{}\": {}；读取了 {} 条消息，seq 到 {}",
            one_line(&room.room),
            parts.join("，"),
            room.messages,
            room.last_seq
        )
    }

    fn secret_error(&self, error: &SecretError) -> String {
        let path = one_line(&error.path.display().to_string()).into_owned();
        match &error.problem {
            SecretProblem::Io(e) => {
                format!("无法使用服务器的密钥 {path}: {}", self.io_error(e))
            }
            SecretProblem::Malformed => format!(
                "无法使用服务器的密钥 {path}: 它不是一行 64 个十六进制数字。请从备份中恢复它；\
                 删除它会生成一个新的密钥，那样的话，之前记下过服务器怎样回答未知名字的人，\
                 就能分辨出哪些名字已经注册"
            ),
        }
    }

    fn serve_error(&self, error: &ServeError) -> String {
        match error {
            ServeError::Accounts(e) => self.accounts_load_error(e),
            ServeError::Secret(e) => self.secret_error(e),
            ServeError::History(e) => self.history_error(e),
            ServeError::Io(e) => self.io_error(e),
        }
    }

    fn admin_error(&self, error: &AdminError) -> String {
        match error {
            AdminError::NotOnline(name) => format!("没有名为 \"{}\" 的在线用户", one_line(name)),
            AdminError::NotRegistered(name) => {
                format!("没有注册为 \"{}\" 的账户", one_line(name))
            }
            AdminError::NotMuted(name) => format!("{} 没有被禁言", one_line(name)),
            AdminError::BadName(e) => self.name_error(e),
            AdminError::Mute(e) => self.mute_error(e),
            AdminError::Accounts(e) => self.account_error(e),
        }
    }

    // --- Both programs' command lines --------------------------------------

    fn bad_arguments(&self, program: &str, error: &ArgError) -> String {
        format!(
            "{program}: {}\n请试试 '{program} --help'。",
            self.arg_error(error)
        )
    }

    fn version(&self, program: &str) -> String {
        format!("{program} {VERSION}")
    }

    // --- Server: command line, console, log --------------------------------

    fn server_usage(&self) -> String {
        "\
用法: chat-server [端口] [主机] [选项]

运行聊天室服务器。端口默认为 8888（0 表示任选一个空闲端口），
主机默认为 localhost（用 0.0.0.0 接受其他机器的连接）。

选项:
  --port 端口            监听的端口
  --host 主机            监听的地址
  --max-clients N        同时在线的客户端上限（默认 1000）
  --max-text 字节数      一条聊天消息的最大长度（默认 65536）
  --max-frame 字节数     接受客户端的最大帧或 WebSocket 消息
                         （默认 1048576，最多 16777216）
  --queue 字节数         每个客户端的发送队列（默认 4194304）
  --heartbeat 秒数       客户端沉默这么久就发 PING，沉默两倍时长则断开；
                         连接后这么久仍未加入的连接也会被关闭（默认 30）
  --send-timeout 秒数    客户端这么久无法接收数据就断开（默认 10）
  --max-file 字节数      客户端可发送的最大文件（默认 1073741824 = 1 GiB）
  --chunk-size 字节数    /send 的文件分块大小（默认 4096）
  --files 目录           收到的文件副本存放在 目录/received；/send 的路径在
                         当前目录找不到时，到 目录/server 中查找（默认 files）
  --accounts 文件        已注册的名字和它们的密码验证信息
                         （默认 目录/accounts.json，目录同 --files；服务器的
                         密钥保存在它旁边，名为 accounts.secret）
  --members-only         只允许已注册的名字加入；拒绝访客
  --lock-window 秒数     这么多秒内 5 次登录失败，会把名字或地址锁定这么久
                         （默认 60）
  --allow-ext 列表       只转发这些扩展名的文件（txt,pdf,png）
  --deny-ext 列表        从不转发这些扩展名的文件（exe,bat）
  --max-rooms N          同时存在的房间上限，包括 lobby（默认 100）
  --history 目录         把每个房间的历史记录保存在这个目录（默认 files/history）
  --no-history           历史记录只保存在内存中: 服务器停止后就没有了
  --history-keep N       每个房间保留的消息数（默认 1000）
  --history-on-join N    进入房间时重放的消息数，0 表示不重放（默认 20）
  --trace[=hex]          在标准错误上打印收发的每一帧
  --allow-origin 来源    允许来自这个来源（如 http://example.org:8080）的页面
                         在这里打开 WebSocket；可以重复多次（服务器自己的
                         页面总是可以）
  --lang zh|en           界面语言（默认由 LC_ALL、LC_MESSAGES、LANG 决定）
  --help                 显示本帮助
  --version              显示版本"
            .to_string()
    }

    fn listening(&self, addr: &str) -> String {
        format!("聊天服务器已启动，监听 {addr}\n等待客户端连接...")
    }

    fn browser_hint(&self, url: &str, other_machines: bool) -> String {
        if other_machines {
            format!("在浏览器中打开 {url}（从另一台机器访问时，把 localhost 换成这台机器的地址）")
        } else {
            format!("在浏览器中打开 {url}")
        }
    }

    fn console_help(&self) -> String {
        // The blank line first, as in the original, between the banner and
        // the commands.
        "
服务器管理命令:
  /msg <消息内容> - 向所有客户端广播消息
  /msg #房间 <消息内容> - 向指定房间发送消息（保存在它的历史记录中）
  /msg @用户名 <消息内容> - 向指定用户发送私信
  /send <文件路径> - 向所有客户端广播文件
  /send #房间 <文件路径> - 向指定房间的成员发送文件
  /send @用户名 <文件路径> - 向指定用户发送文件
    （在当前目录找不到的文件路径，会到 files/server/ 中查找）
  /list - 显示在线用户列表
  /rooms - 显示房间列表和房间里的人
  /user <用户名> - 显示用户详细信息
  /kick <用户名> - 将用户移出聊天室
  /mute <用户名> [秒数] - 禁言用户若干秒（默认 300）
  /unmute <用户名> - 解除禁言
  /accounts - 显示已注册的账户和它们的角色
  /role <用户名> admin|member - 把账户设为管理员，或改回普通成员
  /deluser <用户名> - 删除账户（账户的主人若在线，会被移出聊天室）
  /help - 显示帮助信息
  /quit - 关闭服务器
按 Ctrl+C 停止服务器"
            .to_string()
    }

    fn cannot_listen(&self, addr: &str, error: &io::Error) -> String {
        format!(
            "chat-server: 无法监听 {}: {}",
            one_line(addr),
            self.io_error(error)
        )
    }

    fn cannot_start(&self, error: &HistoryError) -> String {
        format!("chat-server: {}", self.history_error(error))
    }

    fn cannot_serve(&self, addr: &str, error: &ServeError) -> String {
        match error {
            ServeError::Io(e) => self.cannot_listen(addr, e),
            ServeError::History(e) => self.cannot_start(e),
            other => format!("chat-server: {}", escaped(&self.serve_error(other))),
        }
    }

    fn log_joined(&self, name: &str, addr: &str, online: usize) -> String {
        format!(
            "用户 '{}' 加入了聊天室，来自 {addr} (在线 {online} 人)",
            one_line(name)
        )
    }

    fn log_left(&self, name: &str, reason: LeaveReason) -> String {
        format!("用户 '{}' {}", one_line(name), leave_phrase(reason))
    }

    fn log_public(&self, sender: &str, room: &str, text: &str) -> String {
        format!(
            "{} 在 {} 说: {}",
            who(sender),
            room_tag(room),
            for_terminal(text)
        )
    }

    fn log_entered_room(&self, name: &str, room: &str) -> String {
        format!("用户 '{}' 进入了 {}", one_line(name), room_tag(room))
    }

    fn log_bad_room(&self, who: &str, room: &str, why: &str) -> String {
        format!(
            "拒绝了来自 {} 的房间名 \"{}\": {}",
            one_line(who),
            one_line(room),
            one_line(why)
        )
    }

    fn log_room_limit(&self, who: &str, room: &str, max: usize) -> String {
        format!(
            "拒绝了 {} 要的房间 \"{}\": 已有 {max} 个房间，达到上限",
            one_line(who),
            one_line(room)
        )
    }

    fn log_private(&self, sender: &str, to: &str, text: &str) -> String {
        format!(
            "{} 对 {} 说 (私信): {}",
            who(sender),
            who(to),
            for_terminal(text)
        )
    }

    fn log_refused_name(&self, addr: &str, name: &str, why: &str) -> String {
        format!(
            "拒绝了来自 {addr} 的名字 \"{}\": {}",
            one_line(name),
            one_line(why)
        )
    }

    fn log_name_taken(&self, addr: &str, name: &str) -> String {
        format!("拒绝了来自 {addr} 的名字 \"{}\": 已被占用", one_line(name))
    }

    fn log_bad_input(&self, who: &str, error: &dyn fmt::Display) -> String {
        format!("来自 {} 的错误输入: {}", one_line(who), escaped(error))
    }

    fn log_before_join(&self, kind: &str) -> String {
        format!("在 USER_JOIN 之前发送了 {}", one_line(kind))
    }

    fn log_second_join(&self) -> String {
        "第二次发送 USER_JOIN".to_string()
    }

    fn log_client_error(&self, text: &str, code: &str) -> String {
        format!("{} ({})", one_line(text), one_line(code))
    }

    fn log_server_full(&self, addr: &str, max: usize) -> String {
        format!("拒绝了 {addr}: 服务器已满 ({max} 个客户端)")
    }

    fn log_http(
        &self,
        addr: &str,
        request: Option<(&str, &str)>,
        status: u16,
        why: Option<&dyn fmt::Display>,
    ) -> String {
        let asked = http_asked(request);
        match why {
            Some(why) => format!("HTTP {addr}{asked}: 状态码 {status}，{}", escaped(why)),
            None => format!("HTTP {addr}{asked}: 状态码 {status}"),
        }
    }

    fn log_join_timeout(&self, addr: &str, seconds: u64) -> String {
        format!("关闭了 {addr}: 连接后 {seconds} 秒内没有加入")
    }

    fn log_session_panicked(&self, addr: &str) -> String {
        format!("处理 {addr} 时发生内部错误，该连接已关闭")
    }

    fn log_setup_failed(&self, addr: &str, error: &io::Error) -> String {
        format!("建立来自 {addr} 的连接失败: {}", self.io_error(error))
    }

    fn log_accept_failed(&self, error: &io::Error) -> String {
        format!("接受连接失败: {}", self.io_error(error))
    }

    fn log_file_offer(&self, sender: &str, name: &str, size: u64, to: &Audience) -> String {
        format!(
            "用户 '{}' 正在向{}发送文件: {} ({})",
            who(sender),
            audience(to),
            one_line(name),
            self.bytes(size)
        )
    }

    fn log_file_saved(&self, sender: &str, path: &Path, size: u64) -> String {
        format!(
            "已收到用户 '{}' 的文件 {} ({})",
            who(sender),
            escaped(&path.display()),
            self.bytes(size)
        )
    }

    fn log_file_aborted(&self, sender: &str, name: &str, why: &str) -> String {
        format!(
            "用户 '{}' 的文件 {} 传输中止: {}",
            who(sender),
            one_line(name),
            one_line(why)
        )
    }

    fn console_file_sent(&self, name: &str, size: u64, to: &Audience, seconds: f64) -> String {
        format!(
            "文件 {} ({}) 已发送给{}，用时 {seconds:.2} 秒 ({})。",
            one_line(name),
            self.bytes(size),
            audience(to).trim_end(),
            rate(size, seconds)
        )
    }

    fn console_file_failed(&self, path: &str, why: &dyn fmt::Display) -> String {
        format!("无法发送 {}: {}。", one_line(path), escaped(why))
    }

    fn console_file_started(&self, name: &str, size: u64, to: &Audience) -> String {
        format!(
            "正在向{}发送文件 {} ({})...",
            audience(to),
            one_line(name),
            self.bytes(size)
        )
    }

    fn shutting_down(&self) -> String {
        "正在关闭服务器: 通知客户端并关闭连接...".to_string()
    }

    fn stopped(&self) -> String {
        "服务器已停止。".to_string()
    }

    fn console_not_a_command(&self) -> String {
        "命令以 '/' 开头。要对所有人说话，请输入 /msg <消息内容>（/help 列出所有命令）。"
            .to_string()
    }

    fn unknown_command(&self, name: &str) -> String {
        format!("未知命令 /{}。输入 /help 查看命令列表。", one_line(name))
    }

    fn usage_msg(&self) -> String {
        "用法: /msg <消息内容>、/msg #房间 <消息内容> 或 /msg @用户名 <消息内容>".to_string()
    }

    fn usage_send(&self) -> String {
        "用法: /send <文件路径> 或 /send @用户名 <文件路径>（路径中有空格时请加引号）".to_string()
    }

    fn usage_console_send(&self) -> String {
        "用法: /send <文件路径>、/send #房间 <文件路径> 或 /send @用户名 <文件路径>\
         （路径中有空格时请加引号）"
            .to_string()
    }

    fn usage_user(&self) -> String {
        "用法: /user <用户名>".to_string()
    }

    fn usage_kick(&self) -> String {
        "用法: /kick <用户名>".to_string()
    }

    fn kicked(&self, name: &str) -> String {
        format!("已将 {} 移出聊天室。", one_line(name))
    }

    fn no_such_user(&self, name: &str) -> String {
        format!("没有名为 \"{}\" 的在线用户。", one_line(name))
    }

    fn sent_to_everyone(&self, count: usize) -> String {
        format!("已发送给所有人 (在线 {count} 人)。")
    }

    fn sent_to(&self, name: &str) -> String {
        format!("已发送给 {}。", one_line(name))
    }

    fn sent_to_room(&self, room: &str, members: usize, seq: u64) -> String {
        format!(
            "已发送到 {} ({members} 个成员)，seq {seq}。",
            room_tag(room)
        )
    }

    fn no_such_room(&self, room: &str) -> String {
        format!(
            "没有房间 {}: 有人在里面时房间才存在（/rooms 列出所有房间）。",
            room_tag(room)
        )
    }

    fn stopping(&self) -> String {
        "服务器正在停止；什么都没有发送。".to_string()
    }

    fn rooms_header(&self, rooms: usize) -> String {
        format!("🏠 房间列表 ({rooms}):")
    }

    fn rooms_row(&self, room: &str, members: &[String]) -> String {
        format!(
            "  {} ({}): {}",
            room_tag(room),
            members.len(),
            names_joined(members)
        )
    }

    fn list_empty(&self) -> String {
        "📋 当前没有在线用户。".to_string()
    }

    fn list_header(&self, count: usize) -> String {
        format!("📋 在线用户列表 ({count}):")
    }

    /// The original's row exactly; the room is in `/rooms` and `/user`.
    fn list_row(&self, number: usize, name: &str, addr: &str, _room: &str) -> String {
        format!("  {number}. {} ({addr})", one_line(name))
    }

    fn user_details(&self, name: &str, ip: &str, port: u16, since: &str, messages: u64) -> String {
        let name = one_line(name);
        format!(
            "👤 用户信息:\n  用户名: {name}\n  IP地址: {ip}\n  端口: {port}\n  连接状态: 在线\n  连接时间: {since}\n  消息数: {messages}"
        )
    }

    // --- Server: history ----------------------------------------------------

    fn history_opened(&self, report: &OpenReport) -> String {
        let dir = report.dir.display();
        if report.rooms.is_empty() {
            return format!("历史记录: 保存在 {dir}（还没有房间）");
        }
        let lost = report.lines_lost();
        format!(
            "历史记录: 保存在 {dir}: {} 个房间，共 {} 条消息{}",
            report.rooms.len(),
            report.messages(),
            if lost == 0 {
                String::new()
            } else {
                format!("，有 {lost} 行因损坏而丢失（见下）")
            }
        )
    }

    fn history_closed(&self, progress: &Progress) -> String {
        if progress.written == 0 && progress.lost == 0 {
            "历史记录: 本次运行没有写入新内容".to_string()
        } else if progress.lost == 0 {
            format!(
                "历史记录: 本次运行写入了 {} 条消息，全部已同步到磁盘（{} 次组 fsync）",
                progress.written, progress.syncs
            )
        } else {
            format!(
                "历史记录: 本次运行写入了 {} 条消息（{} 次组 fsync）；有 {} 条消息没能写入（见上文）",
                progress.written, progress.syncs, progress.lost
            )
        }
    }

    fn history_removed_temp(&self, names: &[String]) -> String {
        format!(
            "历史记录: 已删除一次中断的压缩留下的文件（{}）；它正在重写的文件完好无损",
            one_line(&names.join(", "))
        )
    }

    fn history_ignored(&self, names: &[String]) -> String {
        format!(
            "历史记录: 忽略了 {} 个不属于任何房间的文件: {}",
            names.len(),
            one_line(&names.join(", "))
        )
    }

    // --- Server → client ERROR texts ----------------------------------------

    fn error_name_invalid(&self, name: &str, why: &NameError) -> String {
        format!(
            "名字 \"{}\" 不能使用: {}。",
            one_line(name),
            self.name_error(why)
        )
    }

    fn error_name_refused(&self, name: &str) -> String {
        format!("服务器不接受名字 \"{}\"。", one_line(name))
    }

    fn error_name_taken(&self, name: &str) -> String {
        format!("名字 \"{}\" 已被占用，请换一个。", one_line(name))
    }

    fn error_unknown_user(&self, name: &str) -> String {
        self.no_such_user(name)
    }

    fn error_room_invalid(&self, room: &str, why: &NameError) -> String {
        format!(
            "房间名 \"{}\" 不能使用: {}。你仍在原来的房间里。",
            one_line(room),
            self.name_error(why)
        )
    }

    fn error_room_limit(&self, room: &str, max: usize) -> String {
        format!(
            "这台服务器最多同时有 {max} 个房间，现在已经有这么多了，所以没有创建 {}。你仍在原来的房间里。",
            room_tag(room)
        )
    }

    fn error_text_too_long(&self, len: u64, max: u64) -> String {
        format!("你的消息长 {len} 字节，上限是 {max} 字节，没有发送。")
    }

    fn error_text_too_long_unsized(&self) -> String {
        "你的消息超过了服务器允许的长度，没有发送。".to_string()
    }

    fn error_join_first(&self) -> String {
        "请先加入: 第一条消息必须是带有你的名字的 USER_JOIN。".to_string()
    }

    fn error_already_joined(&self) -> String {
        "你已经加入了。".to_string()
    }

    fn error_bad_frame(&self, detail: &dyn fmt::Display) -> String {
        format!("错误的帧: {}。连接即将关闭。", escaped(detail))
    }

    fn error_bad_message(&self, detail: &dyn fmt::Display) -> String {
        format!("错误的消息: {}。", escaped(detail))
    }

    fn error_not_understood(&self) -> String {
        "服务器无法读取本客户端发送的一条消息。".to_string()
    }

    fn error_frame_too_large(&self, limit: Option<u64>) -> String {
        match limit {
            Some(limit) => format!(
                "本客户端发送的帧超过了服务器 {} 的上限，连接已关闭。",
                self.bytes(limit)
            ),
            None => "本客户端发送的帧超过了服务器的上限，连接已关闭。".to_string(),
        }
    }

    fn error_server_full(&self) -> String {
        "服务器已满，请稍后再试。".to_string()
    }

    fn error_kicked(&self, by: &str) -> String {
        if by == SERVER_NAME {
            return "你已被服务器移出聊天室。".to_string();
        }
        format!("你已被 {} 移出聊天室。", one_line(by))
    }

    fn error_join_timeout(&self, seconds: u64) -> String {
        format!("你没有在 {seconds} 秒内加入，连接即将关闭。")
    }

    fn error_server_shutdown(&self) -> String {
        "服务器正在关闭。".to_string()
    }

    fn error_file_too_large(&self, size: u64, max: u64) -> String {
        format!(
            "文件大小为 {}，上限是 {}，没有发送。",
            self.bytes(size),
            self.bytes(max)
        )
    }

    fn error_file_too_large_unsized(&self) -> String {
        "文件超过了服务器允许的大小，没有发送。".to_string()
    }

    fn error_unknown_transfer(&self, id: &str) -> String {
        format!("没有正在进行的传输 \"{}\"。", one_line(id))
    }

    fn error_duplicate_transfer(&self, id: &str) -> String {
        format!("传输 \"{}\" 已经在进行中。", one_line(id))
    }

    fn error_too_many_transfers(&self, max: usize) -> String {
        format!("每个用户最多同时进行 {max} 个传输。")
    }

    fn error_transfer_failed(&self, name: &str, why: &dyn fmt::Display) -> String {
        format!("{} 传输失败: {}。", one_line(name), escaped(why))
    }

    fn error_sender_left(&self, name: &str, sender: &str) -> String {
        format!("{} 在 {} 传完之前离开了。", who(sender), one_line(name))
    }

    fn error_server_storage(&self, name: &str, error: &io::Error) -> String {
        format!(
            "服务器无法保存 {}: {}。",
            one_line(name),
            self.io_error(error)
        )
    }

    fn error_transfer_aborted(&self) -> String {
        "传输已中止".to_string()
    }

    fn error_weak_verifier(&self) -> String {
        "服务器拒绝了这个密码的验证信息: 它比服务器要求的弱。".to_string()
    }

    fn error_transfer_damaged(&self) -> String {
        "数据没有完整无损地到达".to_string()
    }

    fn error_server_cannot_store(&self) -> String {
        "服务器无法保存这个文件".to_string()
    }

    // --- Client: command line, screen ----------------------------------------

    fn client_usage(&self) -> String {
        "\
用法: chat-client [端口] [主机] [用户名] [选项]

加入聊天室。端口默认为 8888，主机默认为 localhost；
没有给出用户名时，客户端会询问。在终端上，客户端自己编辑你输入的这一行，
期间收到的消息显示在它上面（在聊天室中输入 /help 查看按键）；
输入来自管道时，客户端按整行读取。

选项:
  --port 端口          服务器端口
  --host 主机          服务器地址
  --name 用户名        你在聊天室中的名字
  --downloads 目录     收到的文件保存在哪里（默认 files/downloads）
  --chunk-size 字节数  发送文件时的分块大小（默认 4096）
  --register           加入之前先用新密码注册这个名字（这是进入
                       --members-only 服务器的办法）
  --iterations N       新密码的 PBKDF2 迭代次数，4096 到 10000000
                       （默认 600000；越多登录越慢，从被盗的账户文件
                       猜出密码也越慢）
  --trace[=hex]        在标准错误上打印收发的每一帧
  --lang zh|en         界面语言（默认由 LC_ALL、LC_MESSAGES、LANG 决定）
  --help               显示本帮助
  --version            显示版本"
            .to_string()
    }

    fn client_help(&self) -> String {
        // The blank line first, as in the original, between the connection
        // lines and the commands.
        "
聊天室命令:
  /send <文件路径> - 发送文件
  /send @用户名 <文件路径> - 向指定用户发送文件
  /msg @用户名 <消息内容> - 向指定用户发送私信（不管对方在哪个房间）
  /join #房间 - 进入房间（没有人在时会创建它）
  /rooms - 显示房间列表
  /who - 显示你所在房间里的人
  /history [N] - 显示你所在房间最近的 N 条消息（默认 20）
  /list - 显示在线用户列表
  /register - 用密码注册你的名字
  /passwd - 修改你的密码
  /help - 显示帮助信息
  /quit - 退出聊天室
  直接输入文本发送消息"
            .to_string()
    }

    fn client_admin_help(&self) -> String {
        "
管理员命令:
  /kick <用户名> - 将用户移出聊天室
  /mute <用户名> [秒数] - 禁言用户若干秒（默认 300）
  /unmute <用户名> - 解除禁言
  /op <用户名> - 把已注册的用户设为管理员
  /deop <用户名> - 把管理员改回普通成员"
            .to_string()
    }

    fn editor_help(&self) -> String {
        "\
编辑按键:
  Left Right Home End - 在这一行中移动
  Up Down - 找回之前输入的行
  Backspace Delete - 删除一个字符
  Ctrl-W - 删除光标前的一个词
  Ctrl-U Ctrl-K - 删除到行首，或删除到行尾
  Ctrl-L - 清屏
  Ctrl-C - 退出聊天室，同 /quit
  Ctrl-D - 在空行上: 退出聊天室
  Ctrl-Z - 暂停客户端（用 fg 恢复）"
            .to_string()
    }

    fn input_prompt(&self) -> String {
        "> ".to_string()
    }

    fn room_prompt(&self, room: &str) -> String {
        format!("{}{}", room_tag(room), self.input_prompt())
    }

    fn typed_command(&self, room: &str, line: &str) -> String {
        format!("{}{}", self.room_prompt(room), one_line(line))
    }

    fn name_prompt(&self) -> String {
        "输入用户名: ".to_string()
    }

    fn cannot_connect(&self, addr: &str, error: &io::Error) -> String {
        format!(
            "无法连接到聊天服务器 {}: {}。",
            one_line(addr),
            self.io_error(error)
        )
    }

    fn name_refused(&self, reason: &str) -> String {
        format!("名字被拒绝: {}", one_line(reason))
    }

    fn connected(&self, addr: &str, name: &str) -> String {
        format!(
            "已连接到服务器 {}\n用户名: {}",
            one_line(addr),
            one_line(name)
        )
    }

    fn online_list(&self, names: &[String]) -> String {
        format!("在线用户 ({}): {}", names.len(), names_joined(names))
    }

    fn chat_line(&self, time: &str, sender: &str, text: &str) -> String {
        format!("[{time}] {}: {}", who(sender), for_terminal(text))
    }

    fn earlier_line(&self, time: &str, sender: &str, text: &str) -> String {
        format!("[{time}] (之前) {}: {}", who(sender), for_terminal(text))
    }

    fn history_end(&self, room: &str, count: u64) -> String {
        match count {
            0 => format!("（{} 没有更早的消息）", room_tag(room)),
            n => format!("（以上是 {} 之前的 {n} 条消息）", room_tag(room)),
        }
    }

    fn in_room(&self, room: &str, members: &[String]) -> String {
        format!(
            "你在 {} ({}): {}",
            room_tag(room),
            members.len(),
            names_joined(members)
        )
    }

    fn in_room_alone(&self, room: &str) -> String {
        format!("你在 {}。/who 列出这里有谁。", room_tag(room))
    }

    fn room_entered_line(&self, time: &str, user: &str, room: &str, members: u64) -> String {
        format!(
            "[{time}] * {} 进入了 {} (这里有 {members} 人)",
            one_line(user),
            room_tag(room)
        )
    }

    fn room_left_line(&self, time: &str, user: &str, room: &str, members: u64) -> String {
        format!(
            "[{time}] * {} 离开 {} 去了别的房间 (这里有 {members} 人)",
            one_line(user),
            room_tag(room)
        )
    }

    fn rooms_list(&self, rooms: &[(String, u64)]) -> String {
        format!("房间 ({}): {}", rooms.len(), rooms_joined(rooms))
    }

    fn usage_join(&self) -> String {
        "用法: /join #房间".to_string()
    }

    fn usage_history(&self) -> String {
        format!("用法: /history [N]，N 从 1 到 {MAX_HISTORY_LIMIT}")
    }

    fn room_refused(&self, room: &str, why: &NameError) -> String {
        format!(
            "房间名 \"{}\" 不能使用: {}。什么都没有发送。",
            one_line(room),
            self.name_error(why)
        )
    }

    fn private_line(&self, time: &str, sender: &str, text: &str) -> String {
        format!("[{time}] {}: [私信] {}", who(sender), for_terminal(text))
    }

    fn own_private_line(&self, time: &str, to: &str, text: &str) -> String {
        format!("[{time}] → {}: [私信] {}", who(to), for_terminal(text))
    }

    fn joined_line(&self, time: &str, name: &str, online: u64) -> String {
        format!(
            "[{time}] * {} 加入了聊天室 (在线 {online} 人)",
            one_line(name)
        )
    }

    fn left_line(&self, time: &str, name: &str, reason: LeaveReason, online: u64) -> String {
        format!(
            "[{time}] * {} {} (在线 {online} 人)",
            one_line(name),
            leave_phrase(reason)
        )
    }

    fn error_line(&self, text: &str) -> String {
        format!("[错误] {}", for_terminal(text))
    }

    fn server_closed(&self) -> String {
        "服务器已关闭。再见！".to_string()
    }

    fn connection_lost(&self) -> String {
        "与服务器的连接已断开。".to_string()
    }

    fn goodbye(&self) -> String {
        "你已离开聊天室。".to_string()
    }

    fn client_unknown_command(&self, name: &str) -> String {
        format!(
            "未知命令 /{}，没有发送。输入 /help 查看命令列表。",
            one_line(name)
        )
    }

    fn usage_client_msg(&self) -> String {
        "用法: /msg @用户名 <消息内容>".to_string()
    }

    fn bad_path(&self, error: &PathError) -> String {
        format!("{}。{}", self.path_error(error), self.usage_send())
    }

    fn cannot_send_file(&self, path: &str, why: &dyn fmt::Display) -> String {
        format!("[文件传输] 无法发送 {}: {}", one_line(path), escaped(why))
    }

    fn file_too_large_locally(&self, path: &str, size: u64, max: u64) -> String {
        format!(
            "[文件传输] 无法发送 {}: 文件大小为 {}，服务器最多接受 {}",
            one_line(path),
            self.bytes(size),
            self.bytes(max)
        )
    }

    fn sending_file(&self, name: &str, size: u64, to: Option<&str>) -> String {
        let to = match to {
            Some(name) => format!(" {} ", who(name)),
            None => "你所在的房间".to_string(),
        };
        format!(
            "[文件传输] 正在向{to}发送文件: {} ({size} 字节)",
            one_line(name)
        )
    }

    fn sending_progress(&self, _name: &str, percent: f64) -> String {
        format!("[文件发送] 进度: {percent:.1}%")
    }

    fn file_sent(&self, name: &str, size: u64, seconds: f64, sha256: &str) -> String {
        format!(
            "[文件传输] 文件发送完成: {} ({}，用时 {seconds:.2} 秒，{}，SHA-256 {})",
            one_line(name),
            self.bytes(size),
            rate(size, seconds),
            one_line(sha256)
        )
    }

    fn file_send_stopped(&self, name: &str, why: &str) -> String {
        format!(
            "[文件传输] 文件 {} 发送中止: {}",
            one_line(name),
            one_line(why)
        )
    }

    fn incoming_file(&self, sender: &str, name: &str, size: u64) -> String {
        format!(
            "[文件传输] 用户 '{}' 正在发送文件: {} ({size} 字节)",
            who(sender),
            one_line(name)
        )
    }

    fn receiving_progress(&self, _name: &str, _sender: &str, percent: f64) -> String {
        format!("[文件接收] 进度: {percent:.1}%")
    }

    /// As the original shows it: the last progress line stays, then the
    /// name and where the file is; what the original did not have (size,
    /// time, checksum) goes on a line of its own after those.
    fn file_received(
        &self,
        name: &str,
        sender: &str,
        size: u64,
        seconds: f64,
        path: &Path,
        sha256: &str,
    ) -> String {
        format!(
            "{}\n[文件传输] 文件接收完成: {}\n保存位置: {}\n大小 {}，用时 {seconds:.2} 秒 ({})，SHA-256 {}",
            self.receiving_progress(name, sender, 100.0),
            one_line(name),
            escaped(&shown_path(path)),
            self.bytes(size),
            rate(size, seconds),
            one_line(sha256)
        )
    }

    fn file_not_received(&self, name: &str, sender: &str, why: &dyn fmt::Display) -> String {
        format!(
            "[文件传输] 没能收下用户 '{}' 的文件 {}: {}；未完成的文件已删除",
            who(sender),
            one_line(name),
            escaped(why)
        )
    }

    fn cannot_save_file(&self, name: &str, error: &io::Error) -> String {
        format!(
            "[文件传输] 无法保存 {}: {}",
            one_line(name),
            self.io_error(error)
        )
    }

    // --- Accounts, logins, admins and file types (contract §10–§12) -----

    fn log_new_secret(&self, path: &Path) -> String {
        format!(
            "在 {} 生成了新的服务器密钥（请把它和账户文件放在一起）",
            one_line(&path.display().to_string())
        )
    }

    fn log_accounts_loaded(&self, count: usize, path: &Path) -> String {
        format!(
            "{} 中有 {count} 个已注册的账户",
            one_line(&path.display().to_string())
        )
    }

    fn not_a_name(&self, name: &str, why: &NameError) -> String {
        format!(
            "{}（不是有效的名字: {}）",
            one_line(name),
            self.name_error(why)
        )
    }

    fn log_auth_mechanism(&self, mechanism: &str) -> String {
        format!("使用机制 \"{}\" 的 AUTH", one_line(mechanism))
    }

    fn log_auth_after_join(&self) -> String {
        "加入之后才发送的 AUTH".to_string()
    }

    fn log_logged_in(&self, name: &str, addr: &str, role: &str) -> String {
        format!(
            "用户 '{}' 从 {} 登录 ({})",
            one_line(name),
            one_line(addr),
            role_word(role)
        )
    }

    fn log_login_failed(&self, name: &str, addr: &str) -> String {
        format!(
            "从 {} 以 '{}' 的身份登录失败",
            one_line(addr),
            one_line(name)
        )
    }

    fn log_login_now_locked(&self, name: &str, addr: &str, seconds: u64) -> String {
        format!(
            "登录失败的次数太多: '{}' 或 {} 被锁定 {seconds} 秒",
            one_line(name),
            one_line(addr)
        )
    }

    fn log_login_locked(&self, name: &str, addr: &str, seconds: u64) -> String {
        format!(
            "拒绝了从 {} 以 '{}' 的身份登录: 还要锁定 {seconds} 秒",
            one_line(addr),
            one_line(name)
        )
    }

    fn log_auth_required(&self, name: &str, addr: &str) -> String {
        format!(
            "来自 {} 的 '{}' 必须先登录才能加入",
            one_line(addr),
            one_line(name)
        )
    }

    fn log_registered(&self, name: &str, addr: &str) -> String {
        format!("用户 '{}' 从 {} 注册了", one_line(name), one_line(addr))
    }

    fn log_password_changed(&self, name: &str, addr: &str) -> String {
        format!("用户 '{}' 从 {} 修改了密码", one_line(name), one_line(addr))
    }

    fn log_register_refused(&self, name: &str, addr: &str, why: &AccountError) -> String {
        format!(
            "拒绝了来自 {} 的 '{}' 的注册: {}",
            one_line(addr),
            one_line(name),
            escaped(&self.account_error(why))
        )
    }

    fn log_registrations_limited(&self, addr: &str, seconds: u64) -> String {
        format!(
            "拒绝了来自 {} 的注册: 最近注册太多，还要等 {seconds} 秒",
            one_line(addr)
        )
    }

    fn log_admin_kicked(&self, by: &str, name: &str) -> String {
        format!("管理: {} 把 {} 移出了聊天室", who(by), one_line(name))
    }

    fn log_admin_muted(&self, by: &str, name: &str, seconds: u64, ends: &str) -> String {
        format!(
            "管理: {} 禁言了 {} {seconds} 秒（到 {ends}）",
            who(by),
            one_line(name)
        )
    }

    fn log_admin_unmuted(&self, by: &str, name: &str) -> String {
        format!("管理: {} 解除了 {} 的禁言", who(by), one_line(name))
    }

    fn log_admin_role(&self, by: &str, name: &str, before: &str, after: &str) -> String {
        format!(
            "管理: {} 把 {} 设为{}（原来是{}）",
            who(by),
            one_line(name),
            role_word(after),
            role_word(before)
        )
    }

    fn log_admin_deleted(&self, by: &str, name: &str) -> String {
        format!("管理: {} 删除了账户 {}", who(by), one_line(name))
    }

    fn log_admin_forbidden(&self, name: &str, action: &str, target: &str) -> String {
        format!(
            "{} 不是管理员，不能对 {} 执行“{}”",
            one_line(name),
            one_line(target),
            action_word(action)
        )
    }

    fn log_file_type_refused(&self, sender: &str, name: &str, why: &Refused) -> String {
        format!(
            "拒绝了用户 '{}' 的文件 {}: {}",
            one_line(sender),
            one_line(name),
            self.file_refused(why)
        )
    }

    fn usage_mute(&self) -> String {
        "用法: /mute <用户名> [秒数]".to_string()
    }

    fn usage_unmute(&self) -> String {
        "用法: /unmute <用户名>".to_string()
    }

    fn usage_role(&self) -> String {
        "用法: /role <用户名> admin|member".to_string()
    }

    fn usage_deluser(&self) -> String {
        "用法: /deluser <用户名>".to_string()
    }

    fn accounts_empty(&self) -> String {
        "📋 没有已注册的账户。".to_string()
    }

    fn accounts_header(&self, count: usize) -> String {
        format!("📋 已注册的账户 ({count}):")
    }

    fn accounts_row(&self, number: usize, name: &str, role: &str, online: bool) -> String {
        format!(
            "  {number}. {} ({}){}",
            one_line(name),
            role_word(role),
            if online { "，在线" } else { "" }
        )
    }

    fn console_muted(&self, name: &str, seconds: u64, ends: &str) -> String {
        format!("已禁言 {} {seconds} 秒，到 {ends}。", one_line(name))
    }

    fn console_unmuted(&self, name: &str) -> String {
        format!("已解除 {} 的禁言。", one_line(name))
    }

    fn console_role(&self, name: &str, before: &str, after: &str) -> String {
        if before == after {
            return format!("{} 已经是{}了。", one_line(name), role_word(after));
        }
        format!(
            "{} 现在是{}（原来是{}）。",
            one_line(name),
            role_word(after),
            role_word(before)
        )
    }

    fn console_deleted(&self, name: &str) -> String {
        format!("已删除账户 {}；这个名字又可以用了。", one_line(name))
    }

    fn console_admin_failed(&self, why: &AdminError) -> String {
        format!("没有完成: {}。", escaped(&self.admin_error(why)))
    }

    fn error_auth_required(&self, name: &str) -> String {
        format!(
            "名字 \"{}\" 已经注册: 请用它的密码登录，才能以它的身份加入。",
            one_line(name)
        )
    }

    fn error_members_only(&self, name: &str) -> String {
        format!(
            "这台服务器只接受已注册的名字: 请用密码以 \"{}\" 的身份登录，或者先注册一个名字。",
            one_line(name)
        )
    }

    fn error_auth_mechanism(&self, mechanism: &str) -> String {
        format!(
            "这里不提供登录机制 \"{}\": 请使用 SCRAM-SHA-256。",
            one_line(mechanism)
        )
    }

    fn error_scram(&self, error: &ScramError) -> String {
        format!("错误的登录消息: {}。", escaped(&self.scram_error(error)))
    }

    fn error_auth_failed(&self) -> String {
        "用户名或密码错误。".to_string()
    }

    fn error_auth_locked(&self, seconds: u64) -> String {
        format!("这个名字或你的地址登录失败的次数太多。请在 {seconds} 秒后再试。")
    }

    fn error_auth_after_join(&self) -> String {
        "你已经加入了: 请在加入之前登录。".to_string()
    }

    fn error_verifier(&self, why: &VerifierError) -> String {
        format!("密码的验证信息被拒绝: {}。", self.verifier_error(why))
    }

    fn error_register_own_name(&self, name: &str) -> String {
        format!("你只能注册你正在使用的名字 \"{}\"。", one_line(name))
    }

    fn error_register_refused(&self, name: &str, why: &AccountError) -> String {
        format!(
            "\"{}\" 没有注册成功: {}。",
            one_line(name),
            escaped(&self.account_error(why))
        )
    }

    fn error_registrations_limited(&self, seconds: u64) -> String {
        format!("最近从你的地址注册的次数太多。请在 {seconds} 秒后再试。")
    }

    fn error_forbidden(&self, action: &str) -> String {
        format!(
            "只有管理员才能执行“{}”，而你没有以管理员的身份登录。",
            action_word(action)
        )
    }

    fn error_admin(&self, why: &AdminError) -> String {
        format!("没有完成: {}。", escaped(&self.admin_error(why)))
    }

    fn error_account_deleted(&self, by: &str) -> String {
        format!("你的账户被 {} 删除了，所以你被移出了聊天室。", who(by))
    }

    fn error_muted(&self, until: &str) -> String {
        format!("你被禁言到 {until}: 在那之前，你发送的内容不会送达任何人。")
    }

    fn error_file_type_refused(&self, name: &str, why: &Refused) -> String {
        format!("{} 没有发送: {}。", one_line(name), self.file_refused(why))
    }

    fn password_prompt(&self, name: &str) -> String {
        format!("{} 的密码: ", one_line(name))
    }

    fn new_password_prompt(&self, name: &str) -> String {
        format!("{} 的新密码: ", one_line(name))
    }

    fn repeat_password_prompt(&self) -> String {
        "再输入一次同样的密码: ".to_string()
    }

    fn passwords_differ(&self) -> String {
        "两次输入的密码不一样；没有做任何更改。".to_string()
    }

    fn password_empty(&self) -> String {
        "空密码不算密码；没有做任何更改。".to_string()
    }

    fn password_cancelled(&self) -> String {
        "已取消；没有做任何更改。".to_string()
    }

    fn login_cancelled(&self) -> String {
        "没有输入密码: 不加入。".to_string()
    }

    fn logged_in(&self, name: &str, role: Role) -> String {
        format!(
            "已以 {} 的身份登录 ({})。",
            one_line(name),
            role_word(role.as_str())
        )
    }

    fn wrong_password(&self) -> String {
        "密码错误。".to_string()
    }

    fn server_failed_proof(&self, addr: &str) -> String {
        format!(
            "{} 上的服务器没能证明它知道你的密码: 它不是你注册账户的那台服务器，\
             或者有人在你们之间冒充它回答。不加入。",
            one_line(addr)
        )
    }

    fn login_refused(&self, why: &ScramError) -> String {
        format!("登录中止: {}。", escaped(&self.scram_error(why)))
    }

    fn computing_verifier(&self, iterations: u32) -> String {
        format!("正在计算密码的验证信息（{iterations} 次 PBKDF2 迭代）...")
    }

    fn registered(&self, name: &str) -> String {
        format!(
            "{} 注册好了。下次以 {} 的身份加入时，会要求输入密码。",
            one_line(name),
            one_line(name)
        )
    }

    fn password_changed(&self, name: &str) -> String {
        format!("{} 的密码已修改。", one_line(name))
    }

    fn register_logged_in(&self) -> String {
        "你的名字已经注册过了；/passwd 可以修改它的密码。".to_string()
    }

    fn passwd_guest(&self) -> String {
        "你是访客: 请先用 /register 给你的名字设一个密码。".to_string()
    }

    fn usage_client_admin(&self, command: &str) -> String {
        match command {
            "mute" => "用法: /mute <用户名> [秒数]".to_string(),
            other => format!("用法: /{} <用户名>", one_line(other)),
        }
    }

    fn admin_done(&self, action: AdminAction, target: &str) -> String {
        let target = one_line(target);
        match action {
            AdminAction::Kick => format!("已将 {target} 移出聊天室。"),
            AdminAction::Mute => format!("已禁言 {target}。"),
            AdminAction::Unmute => format!("已解除 {target} 的禁言。"),
            AdminAction::Op => format!("{target} 现在是管理员了。"),
            AdminAction::Deop => format!("{target} 现在是普通成员，不再是管理员。"),
        }
    }

    fn admin_notice(&self, action: AdminAction, by: &str, until: Option<&str>) -> String {
        let by = who(by);
        match (action, until) {
            (AdminAction::Mute, Some(until)) => {
                format!("* {by} 把你禁言到 {until}: 在那之前，你发送的内容不会送达任何人。")
            }
            (AdminAction::Mute, None) => format!("* {by} 把你禁言了。"),
            (AdminAction::Unmute, _) => format!("* {by} 解除了你的禁言。"),
            (AdminAction::Op, _) => format!("* {by} 把你设为管理员: /help 会显示管理员命令。"),
            (AdminAction::Deop, _) => format!("* {by} 把你改回了普通成员: 你现在不是管理员了。"),
            (AdminAction::Kick, _) => format!("* {by} 把你移出了聊天室。"),
        }
    }

    fn file_type_refused_locally(&self, path: &str, why: &Refused) -> String {
        format!(
            "[文件传输] 无法发送 {}: {}。",
            one_line(path),
            self.file_refused(why)
        )
    }
}

/// Who said or sent something: `服务器` for the server, else the peer's
/// name, escaped.
fn who(name: &str) -> Cow<'_, str> {
    if name == SERVER_NAME {
        Cow::Borrowed(SERVER)
    } else {
        one_line(name)
    }
}

/// Who a file goes to, in a sentence: `所有人`, or a name or room with a
/// space on each side, as Chinese text sets a Latin word (`正在向 Bob 发送文件`).
fn audience(to: &Audience) -> String {
    match to {
        Audience::Everyone => "所有人".to_string(),
        Audience::User(name) => format!(" {} ", who(name)),
        Audience::Room(room) => format!(" {} ", room_tag(room)),
    }
}

/// How a leave reason reads after a name: "Bob {离开了聊天室}".
fn leave_phrase(reason: LeaveReason) -> &'static str {
    match reason {
        LeaveReason::Quit => "离开了聊天室",
        LeaveReason::Disconnected => "断开了连接",
        LeaveReason::Timeout => "连接超时",
        LeaveReason::Kicked => "被服务器移出了聊天室",
    }
}

/// A path as the original shows where it saved a file: a relative one
/// starts with `./` (`./files/downloads/document.pdf`).
fn shown_path(path: &Path) -> String {
    match path.components().next() {
        Some(Component::Normal(_)) => format!("./{}", path.display()),
        _ => path.display().to_string(),
    }
}

/// A role as a Chinese screen says it: `admin` 管理员, `member` 成员,
/// `guest` 访客 (anything else, from a damaged file, as it is, escaped).
fn role_word(role: &str) -> Cow<'_, str> {
    match role {
        "admin" => Cow::Borrowed("管理员"),
        "member" => Cow::Borrowed("成员"),
        "guest" => Cow::Borrowed("访客"),
        other => one_line(other),
    }
}

/// An admin action as a Chinese sentence names it (`kick` 移出用户).
fn action_word(action: &str) -> Cow<'_, str> {
    match action {
        "kick" => Cow::Borrowed("移出用户"),
        "mute" => Cow::Borrowed("禁言用户"),
        "unmute" => Cow::Borrowed("解除禁言"),
        "op" => Cow::Borrowed("设置管理员"),
        "deop" => Cow::Borrowed("撤销管理员"),
        other => one_line(other),
    }
}
