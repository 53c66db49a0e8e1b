// socket-chat's browser client.
//
// The page speaks the same protocol as the terminal client (docs/protocol.md):
// JSON envelopes {"type", "data", "metadata"}, one per WebSocket text message
// instead of one per length-prefixed TCP frame. The path of a message here:
//
//   WebSocket text message -> JSON.parse -> envelope() checks its shape
//     -> HANDLERS[type] -> state and screen
//   person types -> commands / uploads -> send(type, data, metadata)
//     -> dumps() writes JSON as Python does -> WebSocket
//
// Rules this file keeps:
// - Every string a peer controls (names, texts, file names, the server's
//   error sentences) reaches the page as text (textContent, text nodes),
//   never as HTML: nothing here turns a string into markup (a unit test in
//   mod.rs looks for every way to do that). The server's
//   Content-Security-Policy backs this up: no script runs but this one,
//   whose SHA-256 the server put in the policy.
// - Nothing is loaded from anywhere: no libraries, fonts or images. The page
//   carries its own SHA-256, because crypto.subtle exists only on secure
//   origins (https, or localhost), and a classroom server reached over
//   plain http at 192.168.1.20 is neither.
// - Every sentence lives in the catalogue below, in English and Chinese.
//
// Growing it: rooms (contract section 8), history (9) and logins (10) add
// entries to HANDLERS, fields to `state`, and a step to the join sequence
// in `beginSession`; nothing else needs to change shape.

'use strict';

(() => {

// ---------------------------------------------------------------------------
// The catalogue: every sentence a person reads, in both languages
// ---------------------------------------------------------------------------

// Sizes as the terminal client writes them: "1.5 MiB".
function bytesEn(n) {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

// The original Python client writes sizes in bytes: "(2048576 字节)".
const bytesZh = (n) => `${n} 字节`;

const EN = {
  title: 'socket-chat',
  nameLabel: 'Your name',
  joinButton: 'Join',
  sendButton: 'Send',
  fileButton: 'File…',
  toLabel: 'To',
  everyone: 'Everyone',
  messagePlaceholder: 'Type a message and press Enter (/help for commands)',
  clickHint: 'Click a name to talk to that person only.',
  dropHere: 'Drop a file to send it',
  rejoinButton: 'Join again',
  online: (n) => `Online (${n})`,
  connecting: (addr) => `Connecting to ${addr}…`,
  connected: (addr, name) => `Connected to ${addr} as ${name}.`,
  statusJoined: (name, addr, role) => (role ? `${name} (${EN.roleName(role)}) @ ${addr}` : `${name} @ ${addr}`),
  statusOffline: 'Not connected',
  serverName: 'server',
  privateTag: '[private]',
  privateTo: (name) => `[private to ${name}]`,
  joined: (name, n) => `* ${name} joined the chat (${n} online)`,
  left: (name, reason, n) => `* ${name} ${EN.leaveReason(reason)} (${n} online)`,
  leaveReason: (reason) => ({
    quit: 'left',
    disconnected: 'disconnected',
    timeout: 'timed out',
    kicked: 'was removed by the server',
  })[reason] || 'left',
  errorLine: (text) => `[error] ${text}`,
  nameEmpty: 'Type a name first.',
  nameRefused: (reason) => `Name refused: ${reason}`,
  cannotConnect: (addr) => `Cannot connect to the chat server at ${addr}.`,
  connectionLost: 'Connection to the server lost.',
  closedWith: (code) => `Connection to the server lost (WebSocket close code ${code}).`,
  serverClosed: 'The server has shut down. Goodbye.',
  goodbye: 'You left the chat.',
  help: [
    'Chat commands:',
    '  TEXT                   send TEXT to everyone (or to the person chosen under "To")',
    '  /msg @NAME TEXT        send TEXT to NAME only',
    '  /send                  send a file (or drop one on the page)',
    '  /send @NAME            send a file to NAME only',
    '  /list                  list who is online',
    '  /join #ROOM            go to ROOM (made when its first member comes)',
    '  /rooms                 list the rooms',
    '  /who                   who is in this room',
    '  /history [N]           the last N messages of this room (20 unless told)',
    '  /register              register your name with a password',
    '  /passwd                change your password',
    '  /kick, /mute, /unmute, /op, /deop NAME   for admins',
    '  /help                  show this help',
    '  /quit                  leave the chat',
  ].join('\n'),
  unknownCommand: (name) => `Unknown command /${name}; it was not sent. Type /help for the list.`,
  usageMsg: 'Usage: /msg @NAME TEXT',
  usageSend: 'Usage: /send  or  /send @NAME',
  noSuchUser: (name) => `No user named "${name}" is online.`,
  onlineList: (names) => `Online (${names.length}): ${names.join(', ')}`,
  fileTooLarge: (name, size, max) =>
    `[file] cannot send ${name}: it is ${bytesEn(size)}, and the server accepts at most ${bytesEn(max)}`,
  sendingFile: (name, size, to) => `[file] sending ${name} (${bytesEn(size)}) to ${to || 'everyone'}`,
  fileSent: (name, size, seconds) => `[file] sent ${name}: ${bytesEn(size)} in ${seconds.toFixed(2)} s`,
  fileSendStopped: (name, why) => `[file] sending ${name} stopped: ${why}`,
  cannotRead: (name) => `[file] cannot read ${name}`,
  cannotSend: (name, why) => `[file] cannot send ${name}: ${why}`,
  incomingFile: (sender, name, size) => `[file] ${sender} is sending ${name} (${bytesEn(size)})`,
  fileReceived: (name, sender, size) =>
    `[file] received ${name} from ${sender}: ${bytesEn(size)}, SHA-256 checked`,
  saveLink: (name) => `Save ${name}`,
  fileNotKept: (name, sender, why) => `[file] ${name} from ${sender} was not kept: ${why}`,
  whyOrder: (expected, got) => `chunk ${got} arrived where chunk ${expected} was expected`,
  whyBase64: 'a chunk was not valid base64',
  whyTooMuch: (size) => `more data arrived than the announced ${size} bytes`,
  whySize: (expected, received) => `${received} bytes arrived but the file should have ${expected}`,
  whyChecksum: 'the SHA-256 checksum does not match: the data was damaged',
  whyDisconnected: 'the connection closed',
  passwordLabel: 'Password (only for a registered name)',
  registerLabel: 'Register this name with this password',
  roleName: (role) => ({ admin: 'admin', member: 'member', guest: 'guest' })[role] || role,
  everyoneIn: (room) => `Everyone in #${room}`,
  roomTitle: (room, n) => `#${room} (${n})`,
  everyoneOnline: (n) => `Everyone online (${n})`,
  roomsTitle: 'Rooms ↻',
  roomPlaceholder: '#room',
  goButton: 'Go',
  roomEntry: (room, n) => `#${room} (${n})`,
  inRoom: (room, names) => `You are in #${room} (${names.length}): ${names.join(', ')}`,
  cameToRoom: (name, room, n) => `* ${name} came into #${room} (${n} here)`,
  leftRoom: (name, room, n) => `* ${name} left #${room} (${n} here)`,
  roomList: (rooms) => `Rooms (${rooms.length}): ${rooms.join(', ')}`,
  historyEnd: (room, n) => (n === 0 ? `No earlier messages in #${room}.` : `↑ ${n} earlier message${n === 1 ? '' : 's'} of #${room}`),
  earlierTag: '(earlier)',
  usageJoin: 'Usage: /join #ROOM',
  usageHistory: 'Usage: /history [N], N from 1 to 1000',
  usageAdmin: (name) => `Usage: /${name} NAME${name === 'mute' ? ' [SECONDS]' : ''}`,
  adminDone: (action, target) => `[admin] ${action} ${target}: done`,
  actedOn: (action, by, until) => ({
    op: `* ${by} made you an admin: /help lists the admin commands.`,
    deop: `* ${by} made you a member again.`,
    mute: `* ${by} muted you until ${until}: nothing you send reaches anyone until then.`,
    unmute: `* ${by} lifted your mute.`,
  })[action] || `* ${by}: ${action}`,
  fileTypeRefused: (name) => `[file] cannot send ${name}: the server does not take files of this type`,
  deriving: (percent) => `Working out the key from the password… ${percent} %`,
  loggingIn: 'Logging in…',
  needPassword: (name) => `"${name}" is registered: type its password, then Join.`,
  wrongPassword: 'Wrong password.',
  impostor: 'The server could not prove that it holds this account: not joined.',
  scramMalformed: 'the server\'s answer was not a valid login message',
  scramWeak: 'the server asked for a weaker login than this page accepts',
  loginFailed: (why) => `Login failed: ${why}`,
  registered: (name) => `Registered "${name}": next time, join with this password.`,
  passwordChanged: 'Password changed.',
  secretRegister: 'Password for your name',
  secretPasswd: 'New password',
  saveButton: 'Save',
  cancelButton: 'Cancel',
  passwordEmpty: 'Type a password first.',
};

const ZH = {
  title: '套接字聊天室',
  nameLabel: '用户名',
  joinButton: '加入聊天室',
  sendButton: '发送',
  fileButton: '发送文件…',
  toLabel: '发给',
  everyone: '所有人',
  messagePlaceholder: '直接输入文本发送消息，按回车发送（/help 显示帮助信息）',
  clickHint: '点击用户名，只发给这个人。',
  dropHere: '把文件拖到这里发送',
  rejoinButton: '重新加入',
  online: (n) => `在线用户 (${n})`,
  connecting: (addr) => `正在连接服务器 ${addr}…`,
  connected: (addr, name) => `已连接到服务器 ${addr}\n用户名: ${name}`,
  statusJoined: (name, addr, role) => (role ? `${name}（${ZH.roleName(role)}）@ ${addr}` : `${name} @ ${addr}`),
  statusOffline: '未连接',
  serverName: '服务器',
  privateTag: '[私信]',
  privateTo: (name) => `[私信给 ${name}]`,
  joined: (name, n) => `* ${name} 加入了聊天室 (${n} 人在线)`,
  left: (name, reason, n) => `* ${name} ${ZH.leaveReason(reason)} (${n} 人在线)`,
  leaveReason: (reason) => ({
    quit: '离开了聊天室',
    disconnected: '断开了连接',
    timeout: '超时掉线',
    kicked: '被服务器移出了聊天室',
  })[reason] || '离开了聊天室',
  errorLine: (text) => `[错误] ${text}`,
  nameEmpty: '请先输入用户名。',
  nameRefused: (reason) => `用户名不可用: ${reason}`,
  cannotConnect: (addr) => `无法连接到聊天服务器 ${addr}。`,
  connectionLost: '与服务器的连接已断开。',
  closedWith: (code) => `与服务器的连接已断开（WebSocket 关闭码 ${code}）。`,
  serverClosed: '服务器已关闭，再见。',
  goodbye: '你已退出聊天室。',
  help: [
    '聊天室命令:',
    '  直接输入文本           发送消息给所有人（或“发给”里选中的人）',
    '  /msg @用户名 <消息内容> - 向指定用户发送私信',
    '  /send                  - 发送文件（也可以把文件拖到页面上）',
    '  /send @用户名          - 向指定用户发送文件',
    '  /list                  - 显示在线用户列表',
    '  /join #房间名          - 进入房间（第一个人进入时建立）',
    '  /rooms                 - 显示房间列表',
    '  /who                   - 显示本房间的成员',
    '  /history [N]           - 显示本房间最近 N 条消息（默认 20 条）',
    '  /register              - 用密码注册你的用户名',
    '  /passwd                - 修改密码',
    '  /kick, /mute, /unmute, /op, /deop 用户名   - 管理员命令',
    '  /help                  - 显示帮助信息',
    '  /quit                  - 退出聊天室',
  ].join('\n'),
  unknownCommand: (name) => `未知命令 /${name}，没有发送。输入 /help 查看命令列表。`,
  usageMsg: '用法: /msg @用户名 <消息内容>',
  usageSend: '用法: /send  或  /send @用户名',
  noSuchUser: (name) => `用户 '${name}' 不在线。`,
  onlineList: (names) => `在线用户列表 (${names.length}): ${names.join(', ')}`,
  fileTooLarge: (name, size, max) =>
    `[文件传输] 无法发送 ${name}: 文件有 ${bytesZh(size)}，服务器最多接受 ${bytesZh(max)}`,
  sendingFile: (name, size, to) => `[文件传输] 正在发送文件: ${name} (${bytesZh(size)}) 给 ${to || '所有人'}`,
  fileSent: (name, size, seconds) => `[文件传输] 文件发送完成: ${name} (${bytesZh(size)}，${seconds.toFixed(2)} 秒)`,
  fileSendStopped: (name, why) => `[文件传输] 文件 ${name} 发送中止: ${why}`,
  cannotRead: (name) => `[文件传输] 无法读取文件 ${name}`,
  cannotSend: (name, why) => `[文件传输] 无法发送 ${name}: ${why}`,
  incomingFile: (sender, name, size) => `[文件传输] 用户 '${sender}' 正在发送文件: ${name} (${bytesZh(size)})`,
  fileReceived: (name, sender, size) =>
    `[文件传输] 文件接收完成: ${name}（来自 ${sender}，${bytesZh(size)}，SHA-256 校验通过）`,
  saveLink: (name) => `保存 ${name}`,
  fileNotKept: (name, sender, why) => `[文件传输] 来自 ${sender} 的文件 ${name} 没有保存: ${why}`,
  whyOrder: (expected, got) => `收到了第 ${got} 块，应该是第 ${expected} 块`,
  whyBase64: '数据块不是有效的 base64',
  whyTooMuch: (size) => `收到的数据超过了声明的 ${size} 字节`,
  whySize: (expected, received) => `收到 ${received} 字节，文件应有 ${expected} 字节`,
  whyChecksum: 'SHA-256 校验和不一致：数据已损坏',
  whyDisconnected: '连接已断开',
  passwordLabel: '密码（注册过的用户名才需要）',
  registerLabel: '用这个密码注册这个用户名',
  roleName: (role) => ({ admin: '管理员', member: '成员', guest: '访客' })[role] || role,
  everyoneIn: (room) => `#${room} 的所有人`,
  roomTitle: (room, n) => `#${room} (${n})`,
  everyoneOnline: (n) => `所有在线用户 (${n})`,
  roomsTitle: '房间 ↻',
  roomPlaceholder: '#房间名',
  goButton: '进入',
  roomEntry: (room, n) => `#${room} (${n})`,
  inRoom: (room, names) => `你在房间 #${room} (${names.length} 人): ${names.join(', ')}`,
  cameToRoom: (name, room, n) => `* ${name} 进入了 #${room} (${n} 人)`,
  leftRoom: (name, room, n) => `* ${name} 离开了 #${room} (${n} 人)`,
  roomList: (rooms) => `房间列表 (${rooms.length}): ${rooms.join(', ')}`,
  historyEnd: (room, n) => (n === 0 ? `#${room} 没有更早的消息。` : `↑ 以上是 #${room} 更早的 ${n} 条消息`),
  earlierTag: '（较早）',
  usageJoin: '用法: /join #房间名',
  usageHistory: '用法: /history [N]，N 为 1 到 1000',
  usageAdmin: (name) => `用法: /${name} 用户名${name === 'mute' ? ' [秒数]' : ''}`,
  adminDone: (action, target) => `[管理] ${action} ${target}: 已完成`,
  actedOn: (action, by, until) => ({
    op: `* ${by} 把你设为了管理员：/help 列出管理员命令。`,
    deop: `* ${by} 把你改回了普通成员。`,
    mute: `* ${by} 禁言了你，直到 ${until}：在那之前你发的内容谁也收不到。`,
    unmute: `* ${by} 解除了你的禁言。`,
  })[action] || `* ${by}: ${action}`,
  fileTypeRefused: (name) => `[文件传输] 无法发送 ${name}: 服务器不接受这种类型的文件`,
  deriving: (percent) => `正在由密码计算密钥… ${percent} %`,
  loggingIn: '正在登录…',
  needPassword: (name) => `“${name}”已注册：请输入它的密码，再点加入。`,
  wrongPassword: '密码错误。',
  impostor: '服务器无法证明它持有这个账号：没有加入。',
  scramMalformed: '服务器的回答不是有效的登录消息',
  scramWeak: '服务器要求的登录强度低于本页面接受的程度',
  loginFailed: (why) => `登录失败: ${why}`,
  registered: (name) => `已注册“${name}”：下次请用这个密码加入。`,
  passwordChanged: '密码已修改。',
  secretRegister: '为你的用户名设置密码',
  secretPasswd: '新密码',
  saveButton: '保存',
  cancelButton: '取消',
  passwordEmpty: '请先输入密码。',
};

// The reader's first language decides; `?lang=zh` or `?lang=en` overrides.
function chooseLanguage() {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked === 'zh' || asked === 'en') return asked;
  const first = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
  return /^zh\b/i.test(first) ? 'zh' : 'en';
}

const LANG = chooseLanguage();
const T = LANG === 'zh' ? ZH : EN;

// ---------------------------------------------------------------------------
// Pure helpers: JSON as Python writes it, SHA-256, base64, visible text
// ---------------------------------------------------------------------------

// JSON.stringify would do, since the server accepts any JSON (contract
// section 2), but senders write exactly what Python's json.dumps writes:
// ", " and ": " between items, and every character outside printable ASCII
// as a \u escape (JavaScript strings are UTF-16, so a character above
// U+FFFF is already its surrogate pair).
const ESCAPES = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f',
};
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function quote(text) {
  // A lone surrogate (half an emoji) cannot be valid JSON text for the
  // server's parser; make it U+FFFD rather than have the message refused.
  const s = typeof text.toWellFormed === 'function' ? text.toWellFormed() : text;
  if (PLAIN.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i += 1) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

function dumps(value) {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError('the protocol only sends integers');
    return String(value);
  }
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return `[${value.map(dumps).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.keys(value).map((k) => `${quote(k)}: ${dumps(value[k])}`).join(', ')}}`;
  }
  throw new TypeError(`cannot write ${typeof value} as JSON`);
}

// SHA-256 (FIPS 180-4), streaming, as src/sha256.rs explains it: eight
// 32-bit words of state, 64-byte blocks, 64 rounds each.
const K256 = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

class Sha256 {
  constructor() {
    this.state = new Uint32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]);
    this.block = new Uint8Array(64);
    this.buffered = 0;
    this.length = 0;
    this.w = new Uint32Array(64);
  }

  update(bytes) {
    this.length += bytes.length;
    let at = 0;
    if (this.buffered > 0) {
      const take = Math.min(64 - this.buffered, bytes.length);
      this.block.set(bytes.subarray(0, take), this.buffered);
      this.buffered += take;
      at = take;
      if (this.buffered < 64) return;
      this.compress(this.block, 0);
      this.buffered = 0;
    }
    for (; at + 64 <= bytes.length; at += 64) this.compress(bytes, at);
    this.block.set(bytes.subarray(at), 0);
    this.buffered = bytes.length - at;
  }

  compress(bytes, at) {
    const w = this.w;
    for (let t = 0; t < 16; t += 1) {
      const i = at + t * 4;
      w[t] = (bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3];
    }
    compressWords(this.state, w);
  }

  // Ends the computation: the padding (a 1 bit, zeros, and the length in
  // bits as 64 bits), then the digest's 32 bytes.
  digest() {
    const bits = this.length * 8;
    const padding = new Uint8Array(((this.buffered < 56 ? 56 : 120) - this.buffered) + 8);
    padding[0] = 0x80;
    const end = padding.length;
    const high = Math.floor(bits / 0x100000000);
    const low = bits >>> 0;
    [high >>> 24, high >>> 16, high >>> 8, high, low >>> 24, low >>> 16, low >>> 8, low]
      .forEach((byte, i) => { padding[end - 8 + i] = byte & 0xff; });
    this.update(padding);
    return wordsToBytes(this.state);
  }

  // The digest as 64 lowercase hex digits.
  hex() {
    return Array.from(this.digest(), (byte) => byte.toString(16).padStart(2, '0')).join('');
  }
}

// One block of SHA-256: `w` holds the block's 16 words in w[0..16] (and
// room for the 48 more the schedule makes), `h` the eight words of state.
function compressWords(h, w) {
  for (let t = 16; t < 64; t += 1) {
    const a = w[t - 15];
    const b = w[t - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
  }
  let [a, b, c, d, e, f, g, k] = h;
  for (let t = 0; t < 64; t += 1) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (k + s1 + ch + K256[t] + w[t]) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (s0 + maj) | 0;
    k = g; g = f; f = e; e = (d + t1) | 0;
    d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d;
  h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

function wordsToBytes(words) {
  const bytes = new Uint8Array(words.length * 4);
  words.forEach((word, i) => {
    bytes[i * 4] = word >>> 24;
    bytes[i * 4 + 1] = word >>> 16;
    bytes[i * 4 + 2] = word >>> 8;
    bytes[i * 4 + 3] = word;
  });
  return bytes;
}

function sha256(bytes) {
  const hash = new Sha256();
  hash.update(bytes);
  return hash.digest();
}

function sha256Hex(bytes) {
  const hash = new Sha256();
  hash.update(bytes);
  return hash.hex();
}

// HMAC-SHA-256 (RFC 2104), as src/crypto/hmac.rs explains it: the key,
// padded to a block, XOR-ed with 0x36 and hashed before the message; the
// result hashed again behind the key XOR-ed with 0x5c.
function hmacSha256(key, message) {
  const pad = new Uint8Array(64);
  pad.set(key.length > 64 ? sha256(key) : key);
  const inner = new Sha256();
  inner.update(pad.map((b) => b ^ 0x36));
  inner.update(message);
  const outer = new Sha256();
  outer.update(pad.map((b) => b ^ 0x5c));
  outer.update(inner.digest());
  return outer.digest();
}

function bytesToWords(bytes) {
  const words = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < words.length; i += 1) {
    const at = i * 4;
    words[i] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
  }
  return words;
}

// Hands the page back to the browser for a moment (to draw, to take a
// message off the socket). A message on a channel, not setTimeout: a
// background tab slows timers down to one a second.
function yieldToPage() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

// PBKDF2-HMAC-SHA-256 with a 32-byte result: the slow step of a login,
// slow on purpose (src/crypto/pbkdf2.rs tells why). The browser's own is
// used where it exists: crypto.subtle, which only secure origins (https,
// localhost) have. Elsewhere (a classroom server reached at 192.168.1.20)
// the page's own does it, as src/crypto/pbkdf2.rs does: the key's two pads
// are hashed once, so each of the `iterations` HMACs is two compressions,
// done on 32-bit words. It stops every few milliseconds to let the page
// draw and report progress (a number from 0 to 1).
async function pbkdf2Sha256(password, salt, iterations, onProgress = () => {}) {
  if (globalThis.crypto && crypto.subtle) {
    try {
      const key = await crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
      const params = { name: 'PBKDF2', hash: 'SHA-256', salt, iterations };
      return new Uint8Array(await crypto.subtle.deriveBits(params, key, 256));
    } catch {
      // Some browsers refuse some parameters; the page's own takes any.
    }
  }
  return pbkdf2Own(password, salt, iterations, onProgress);
}

async function pbkdf2Own(password, salt, iterations, onProgress) {
  const key = new Uint8Array(64);
  key.set(password.length > 64 ? sha256(password) : password);
  // The state after hashing one padded key: where every HMAC starts.
  const startOf = (byte) => {
    const hash = new Sha256();
    hash.update(key.map((b) => b ^ byte));
    return hash.state.slice();
  };
  const inner = startOf(0x36);
  const outer = startOf(0x5c);
  // U1 = HMAC(password, salt || 00 00 00 01); then U(n+1) = HMAC(password, Un).
  const first = new Uint8Array(salt.length + 4);
  first.set(salt);
  first[salt.length + 3] = 1;
  const u = bytesToWords(hmacSha256(password, first));
  const sum = u.slice();
  // A 32-byte message after a 64-byte block is one more block: the message,
  // a 1 bit, zeros, and the length, (64 + 32) * 8 = 768 bits.
  const w = new Uint32Array(64);
  const h = new Uint32Array(8);
  let pause = performance.now() + 30;
  for (let n = 1; n < iterations; n += 1) {
    h.set(inner);
    w.set(u);
    w[8] = 0x80000000;
    w.fill(0, 9, 15);
    w[15] = 768;
    compressWords(h, w);
    w.set(h);
    h.set(outer);
    compressWords(h, w);
    u.set(h);
    for (let i = 0; i < 8; i += 1) sum[i] ^= u[i];
    if ((n & 1023) === 0 && performance.now() > pause) {
      onProgress(n / iterations);
      await yieldToPage();
      pause = performance.now() + 30;
    }
  }
  return wordsToBytes(sum);
}

const utf8 = (text) => new TextEncoder().encode(text);

function randomBytes(n) {
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  return bytes;
}

// SCRAM-SHA-256 (contract section 10; src/crypto/scram.rs tells the whole
// story): the page proves it knows the password without sending it, not
// even hashed, and checks that the server proves it holds this account's
// verifier before it joins.
//
//   client-first   n,,n=NAME,r=CLIENT_NONCE
//   server-first   r=CLIENT_NONCE SERVER_NONCE,s=SALT,i=ITERATIONS
//   client-final   c=biws,r=CLIENT_NONCE SERVER_NONCE,p=PROOF
//   server-final   v=SERVER_SIGNATURE
const SCRAM_MIN_ITERATIONS = 4096;
const SCRAM_MAX_ITERATIONS = 10000000;
// What the terminal client uses for a new password (src/crypto/scram.rs).
const SCRAM_ITERATIONS = 600000;
const SCRAM_SALT_LEN = 16;

// `=` and `,` in a name are written =3D and =2C (RFC 5802 section 5.1).
const saslName = (name) => name.replace(/=/g, '=3D').replace(/,/g, '=2C');

class ScramClient {
  constructor(name, password) {
    this.password = utf8(password);
    this.nonce = toBase64(randomBytes(18));
    this.bare = `n=${saslName(name)},r=${this.nonce}`;
    this.expected = null;
  }

  first() {
    return `n,,${this.bare}`;
  }

  // The client-final message for the server's challenge; throws an Error
  // whose message is for a person when the challenge is not acceptable.
  async final(serverFirst, onProgress) {
    const parts = /^r=([^,]+),s=([^,]+),i=([0-9]{1,9})$/.exec(serverFirst);
    if (!parts) throw new Error(T.scramMalformed);
    const [, nonce, saltText, count] = parts;
    if (!nonce.startsWith(this.nonce) || nonce.length === this.nonce.length) {
      throw new Error(T.scramMalformed);
    }
    let salt;
    try {
      salt = fromBase64(saltText);
    } catch {
      throw new Error(T.scramMalformed);
    }
    const iterations = Number(count);
    if (salt.length < SCRAM_SALT_LEN || iterations < SCRAM_MIN_ITERATIONS
        || iterations > SCRAM_MAX_ITERATIONS) {
      throw new Error(T.scramWeak);
    }
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = utf8(`${this.bare},${serverFirst},${withoutProof}`);
    const salted = await pbkdf2Sha256(this.password, salt, iterations, onProgress);
    const clientKey = hmacSha256(salted, utf8('Client Key'));
    const signature = hmacSha256(sha256(clientKey), authMessage);
    const proof = clientKey.map((b, i) => b ^ signature[i]);
    const serverKey = hmacSha256(salted, utf8('Server Key'));
    this.expected = `v=${toBase64(hmacSha256(serverKey, authMessage))}`;
    return `${withoutProof},p=${toBase64(proof)}`;
  }

  // Whether the server-final message is the signature only a server that
  // holds our verifier can make.
  verify(serverFinal) {
    return this.expected !== null && serverFinal === this.expected;
  }
}

// What REGISTER carries: a fresh salt, the iteration count and the two keys
// derived from the password. Never the password, nor anything it can be
// read back from.
async function makeVerifier(password, iterations, onProgress) {
  const salt = randomBytes(SCRAM_SALT_LEN);
  const salted = await pbkdf2Sha256(utf8(password), salt, iterations, onProgress);
  const clientKey = hmacSha256(salted, utf8('Client Key'));
  return {
    salt: toBase64(salt),
    iterations,
    stored_key: toBase64(sha256(clientKey)),
    server_key: toBase64(hmacSha256(salted, utf8('Server Key'))),
  };
}

// Base64 of a chunk. btoa takes a "binary string", one character a byte.
function toBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x2000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x2000));
  }
  return btoa(binary);
}

// Strict, like src/base64.rs: the standard alphabet, padded, nothing else
// (atob alone would skip spaces).
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function fromBase64(text) {
  if (!BASE64.test(text)) throw new Error('not base64');
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// Peer-controlled text is shown as text, so it cannot become markup; but
// invisible characters could still hide or reorder it (a right-to-left
// override in a name, say). So the page keeps the terminal client's rule
// (contract section 6, src/text/terminal.rs), with the same escapes: every
// control character, format character and line or paragraph separator is
// shown as Rust writes it in a string literal (\r, \t, \u{202e}), except a
// zero-width joiner between two pictographs (how emoji such as 👩‍💻 are
// spelt) and, in a chat text, a line break (CR LF or LF), which stays inside
// the message's own block.
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const NAMED_ESCAPES = { '\r': '\\r', '\t': '\\t', '\n': '\\n' };

// The blocks emoji live in, as src/text/terminal.rs counts them.
function isPictograph(ch) {
  const code = ch === undefined ? 0 : ch.codePointAt(0);
  return (code >= 0x2600 && code <= 0x27bf) || (code >= 0x2b00 && code <= 0x2bff)
    || (code >= 0x1f000 && code <= 0x1faff);
}

function joinsPictographs(text, at) {
  const before = Array.from(text.slice(Math.max(0, at - 2), at)).pop();
  const after = Array.from(text.slice(at + 1, at + 3))[0];
  return (isPictograph(before) || before === '\ufe0f') && isPictograph(after);
}

function visible(text, isChatText = false) {
  const s = String(text);
  return s.replace(INVISIBLE, (ch, at) => {
    if (isChatText && ch === '\n') return ch;
    if (isChatText && ch === '\r' && s[at + 1] === '\n') return '';
    if (ch === '\u200d' && joinsPictographs(s, at)) return ch;
    return NAMED_ESCAPES[ch] || `\\u{${ch.codePointAt(0).toString(16)}}`;
  });
}

// Unix seconds to local HH:MM:SS.
function clock(seconds) {
  const date = Number.isFinite(seconds) ? new Date(seconds * 1000) : new Date();
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}

// ---------------------------------------------------------------------------
// The screen
// ---------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

const ui = {
  status: $('status'),
  rejoin: $('rejoin'),
  join: $('join'),
  joinForm: $('join-form'),
  name: $('name'),
  password: $('password'),
  register: $('register'),
  joinButton: $('join-button'),
  joinError: $('join-error'),
  chat: $('chat'),
  log: $('log'),
  roomSection: $('room-section'),
  roomTitle: $('room-title'),
  members: $('members'),
  peopleTitle: $('people-title'),
  users: $('users'),
  roomsSection: $('rooms-section'),
  roomsRefresh: $('rooms-refresh'),
  rooms: $('rooms'),
  roomForm: $('room-form'),
  roomName: $('room-name'),
  secretForm: $('secret-form'),
  secretLabel: $('secret-label'),
  secret: $('secret'),
  secretCancel: $('secret-cancel'),
  compose: $('compose'),
  to: $('to'),
  message: $('message'),
  fileButton: $('file-button'),
  file: $('file'),
  drop: $('drop'),
};

// An element with a class and children; strings become text nodes, so
// nothing passed here is ever parsed as HTML.
function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

// The log keeps the last lines only, so a long session does not grow the
// page without end.
const MAX_LINES = 5000;

function addLine(className, ...children) {
  const log = ui.log;
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const line = el('div', `line ${className}`, ...children);
  log.append(line);
  while (log.childElementCount > MAX_LINES) log.firstElementChild.remove();
  if (atBottom) log.scrollTop = log.scrollHeight;
  return line;
}

const notice = (text) => addLine('notice', text);
const errorLine = (text) => addLine('error', T.errorLine(visible(text)));

function displayName(name) {
  return name === 'server' ? T.serverName : visible(name);
}

function chatLine({ time, sender, text, isPrivate, to, mine, history }) {
  const classes = ['chat'];
  if (isPrivate) classes.push('private');
  if (mine) classes.push('mine');
  if (history) classes.push('history');
  let tag = null;
  if (isPrivate) tag = el('span', 'tag', mine ? `${T.privateTo(visible(to))} ` : `${T.privateTag} `);
  if (history) tag = el('span', 'tag', `${T.earlierTag} `);
  addLine(
    classes.join(' '),
    el('span', 'time', `[${clock(time)}] `),
    el('span', 'sender', displayName(sender)),
    ': ',
    tag,
    el('span', 'text', visible(text, true)),
  );
}

function setStatus(text) {
  ui.status.textContent = text;
}

// The static labels, in the reader's language.
function translatePage() {
  document.documentElement.lang = LANG === 'zh' ? 'zh-CN' : 'en';
  document.title = T.title;
  for (const node of document.querySelectorAll('[data-text]')) {
    node.textContent = T[node.dataset.text];
  }
  ui.message.placeholder = T.messagePlaceholder;
  ui.roomName.placeholder = T.roomPlaceholder;
  setStatus(T.statusOffline);
}

// ---------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------

const state = {
  // 'idle' (the name form), 'connecting', then 'registering' (REGISTER
  // sent) or 'authenticating' (AUTH sent) when a password was given,
  // 'joining' (USER_JOIN sent), 'joined'.
  phase: 'idle',
  me: null,
  // Everyone online, in the order they joined, as the server spells them.
  users: [],
  // From the welcome: the largest file the server takes (extension), the
  // room (section 8; null from a server without rooms), the role (10) and
  // the file-type rules (12).
  maxFileSize: null,
  room: null,
  role: null,
  fileTypes: { allow: [], deny: [] },
  // Who is in our room, and the rooms there are (from ROOM_LIST).
  members: [],
  rooms: [],
  // Answers the person asked for, shown when they come (other answers of
  // the same type only update the screen).
  asked: { who: false, rooms: false, history: 0 },
  // The join in progress: the name, the password if any, and the verifier
  // to register with, or the SCRAM conversation.
  pending: null,
  scram: null,
  // What the password box below the message box is for: 'register' or
  // 'passwd' (REGISTER again: a new password), null when it is closed.
  secretFor: null,
  // A refusal that arrived before the server closed, shown on the form.
  refusal: null,
  farewell: null,
  nextTransferId: 0,
  uploads: new Map(),
  downloads: new Map(),
};

const serverAddress = location.host;

// ---------------------------------------------------------------------------
// The connection
// ---------------------------------------------------------------------------

let socket = null;

function send(type, data, metadata = {}) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(dumps({ type, data, metadata }));
  return true;
}

// A message's shape, checked before any handler sees it: type and data are
// strings, metadata an object (a missing one is {}), as section 3 says.
function envelope(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const { type, data } = value;
  let { metadata } = value;
  if (metadata === undefined) metadata = {};
  if (typeof type !== 'string' || typeof data !== 'string') return null;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return null;
  return { type, data, metadata };
}

const isName = (v) => typeof v === 'string';
const isCount = (v) => Number.isSafeInteger(v) && v >= 0;
const names = (v) => (Array.isArray(v) ? v.filter(isName) : []);

// Joins with what the form says. Registering works out the verifier first,
// before connecting: it is the slow step, and a connection has only so long
// to join (contract section 7).
async function join(name, password, register) {
  state.pending = { name, password, verifier: null };
  ui.joinButton.disabled = true;
  ui.joinError.textContent = '';
  if (password && register) {
    state.phase = 'connecting';
    try {
      state.pending.verifier = await makeVerifier(password, SCRAM_ITERATIONS, (done) => {
        setStatus(T.deriving(Math.floor(done * 100)));
      });
    } catch {
      return backToNameForm(T.loginFailed(T.scramMalformed));
    }
  }
  connect();
}

function connect() {
  state.phase = 'connecting';
  state.refusal = null;
  state.farewell = null;
  ui.joinButton.disabled = true;
  setStatus(T.connecting(serverAddress));
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  try {
    socket = new WebSocket(`${scheme}//${location.host}/ws`);
  } catch {
    return backToNameForm(T.cannotConnect(serverAddress));
  }
  const mine = socket;
  socket.addEventListener('open', () => beginSession());
  socket.addEventListener('message', (event) => {
    if (socket !== mine || typeof event.data !== 'string') return;
    const message = envelope(event.data);
    const handler = message && Object.hasOwn(HANDLERS, message.type) && HANDLERS[message.type];
    // Types this page does not know are skipped, so a newer server can add
    // some without breaking it.
    if (handler) handler(message);
  });
  socket.addEventListener('close', (event) => {
    if (socket === mine) ended(event);
  });
}

// The first messages of a session (contract section 10): with a password,
// REGISTER (a new name) or the four AUTH messages of a SCRAM login come
// before USER_JOIN; the handlers for REGISTER and AUTH carry the
// conversation on.
function beginSession() {
  const { name, password, verifier } = state.pending;
  if (verifier) {
    state.phase = 'registering';
    send('REGISTER', name, verifier);
  } else if (password) {
    state.phase = 'authenticating';
    state.scram = new ScramClient(name, password);
    setStatus(T.loggingIn);
    send('AUTH', state.scram.first(), { mechanism: 'SCRAM-SHA-256' });
  } else {
    joinAs(name);
  }
}

function joinAs(name) {
  state.phase = 'joining';
  send('USER_JOIN', name);
}

// Ends a session that could not join: the form says why. The server keeps
// a connection open after some refusals (a wrong password, say), so that a
// program can try again; the page starts afresh instead.
function refuseJoin(why) {
  state.refusal = why;
  if (socket) socket.close(1000);
}

function ended(event) {
  socket = null;
  const phase = state.phase;
  state.phase = 'idle';
  for (const download of state.downloads.values()) dropDownload(download, T.whyDisconnected);
  for (const upload of state.uploads.values()) upload.stop = T.whyDisconnected;
  if (phase !== 'joined') {
    const why = state.refusal || (phase === 'connecting' ? T.cannotConnect(serverAddress) : T.connectionLost);
    return backToNameForm(why);
  }
  let why = state.farewell;
  if (!why) why = event.code === 1000 || event.code === 1005 || event.code === 1006 ? T.connectionLost : T.closedWith(event.code);
  notice(why);
  leaveChat();
}

function backToNameForm(why) {
  state.phase = 'idle';
  state.scram = null;
  ui.chat.hidden = true;
  ui.join.hidden = false;
  ui.joinButton.disabled = false;
  ui.joinError.textContent = why || '';
  setStatus(T.statusOffline);
  // After a refused password, the password box; else the name.
  const box = state.pending && state.pending.retryPassword ? ui.password : ui.name;
  box.focus();
  box.select();
}

// After a session ends, the log stays readable, and a button in the header
// joins again with the same name.
function leaveChat() {
  setStatus(T.statusOffline);
  ui.message.disabled = true;
  ui.name.value = state.me || '';
  ui.rejoin.hidden = false;
  ui.rejoin.focus();
}

// ---------------------------------------------------------------------------
// What the server sends: one handler per type
// ---------------------------------------------------------------------------

const HANDLERS = {
  USER_JOIN(m) {
    if (m.metadata.self === true) return welcome(m);
    if (!state.users.includes(m.data)) state.users.push(m.data);
    // Everyone who joins the server starts in the lobby (contract section 8).
    if (isLobby(state.room) && !state.members.includes(m.data)) state.members.push(m.data);
    showUsers();
    const online = isCount(m.metadata.online) ? m.metadata.online : state.users.length;
    notice(`[${clock(m.metadata.timestamp)}] ${T.joined(visible(m.data), online)}`);
  },

  USER_LEAVE(m) {
    // Leaving the server is USER_LEAVE alone: the name goes from every list.
    state.users = state.users.filter((user) => user !== m.data);
    state.members = state.members.filter((user) => user !== m.data);
    showUsers();
    const online = isCount(m.metadata.online) ? m.metadata.online : state.users.length;
    const line = T.left(visible(m.data), String(m.metadata.reason), online);
    notice(`[${clock(m.metadata.timestamp)}] ${line}`);
  },

  TEXT(m) {
    const meta = m.metadata;
    chatLine({
      time: meta.timestamp,
      sender: isName(meta.sender) ? meta.sender : '?',
      text: m.data,
      isPrivate: meta.private === true,
      history: meta.history === true,
    });
  },

  USER_LIST(m) {
    state.users = names(m.metadata.users);
    showUsers();
    notice(T.onlineList(state.users.map(visible)));
  },

  PING() {
    send('PONG', '');
  },

  FILE(m) { receiveOffer(m); },
  FILE_DATA(m) { receiveChunk(m); },
  FILE_COMPLETE(m) { receiveComplete(m); },

  // Rooms (contract section 8).
  ROOM_JOIN(m) {
    const meta = m.metadata;
    if (meta.self === true) {
      const moved = !sameName(state.room, m.data);
      state.room = m.data;
      state.members = names(meta.members);
      showUsers();
      if (moved || state.asked.who) notice(T.inRoom(visible(m.data), state.members.map(visible)));
      state.asked.who = false;
      if (moved) send('ROOM_LIST', '');
      return;
    }
    if (!isName(meta.user) || !sameName(state.room, m.data)) return;
    if (!state.members.includes(meta.user)) state.members.push(meta.user);
    showUsers();
    const here = isCount(meta.members) ? meta.members : state.members.length;
    notice(`[${clock(meta.timestamp)}] ${T.cameToRoom(visible(meta.user), visible(m.data), here)}`);
  },

  ROOM_LEAVE(m) {
    const meta = m.metadata;
    if (!isName(meta.user) || !sameName(state.room, m.data)) return;
    state.members = state.members.filter((user) => user !== meta.user);
    showUsers();
    const here = isCount(meta.members) ? meta.members : state.members.length;
    notice(`[${clock(meta.timestamp)}] ${T.leftRoom(visible(meta.user), visible(m.data), here)}`);
  },

  ROOM_LIST(m) {
    const rooms = Array.isArray(m.metadata.rooms) ? m.metadata.rooms : [];
    state.rooms = rooms
      .filter((room) => room && isName(room.name) && isCount(room.members))
      .map((room) => ({ name: room.name, members: room.members }));
    showRooms();
    if (state.asked.rooms) {
      state.asked.rooms = false;
      notice(T.roomList(state.rooms.map((room) => T.roomEntry(visible(room.name), room.members))));
    }
  },

  // History (section 9): the end of a replay. The replayed TEXTs carry
  // "history": true and are shown as earlier messages.
  HISTORY(m) {
    const count = isCount(m.metadata.count) ? m.metadata.count : 0;
    if (count > 0 || state.asked.history > 0) notice(T.historyEnd(visible(m.data), count));
    state.asked.history = Math.max(0, state.asked.history - 1);
  },

  // Logins (section 10).
  REGISTER(m) {
    if (m.metadata.ok !== true) return;
    if (state.phase === 'registering') {
      state.pending.registered = true;
      joinAs(state.pending.name);
      return;
    }
    notice(state.secretFor === 'passwd' ? T.passwordChanged : T.registered(visible(m.data)));
    if (state.role === null || state.role === 'guest') state.role = 'member';
    closeSecret();
    setStatus(T.statusJoined(visible(state.me), serverAddress, state.role));
  },

  AUTH(m) {
    if (state.phase !== 'authenticating' || !state.scram) return;
    const scram = state.scram;
    if (scram.expected === null) {
      // The challenge: the slow step (PBKDF2) runs here, in the page.
      scram.final(m.data, (done) => setStatus(T.deriving(Math.floor(done * 100))))
        .then((final) => {
          if (state.scram === scram) send('AUTH', final);
        })
        .catch((error) => refuseJoin(T.loginFailed(error.message)));
      return;
    }
    // "ok" is a claim any program can make; the signature is the proof.
    if (m.metadata.ok !== true || !scram.verify(m.data)) return refuseJoin(T.impostor);
    state.role = isName(m.metadata.role) ? m.metadata.role : null;
    joinAs(state.pending.name);
  },

  ADMIN(m) {
    const meta = m.metadata;
    // Our own action, done; or one done to us, by an admin or the console.
    if (meta.ok === true && isName(meta.target)) {
      notice(T.adminDone(visible(m.data), visible(meta.target)));
      return;
    }
    if (!isName(meta.by)) return;
    if (m.data === 'op') state.role = 'admin';
    if (m.data === 'deop') state.role = 'member';
    setStatus(T.statusJoined(visible(state.me), serverAddress, state.role));
    const until = Number.isSafeInteger(meta.until) ? clock(meta.until) : '';
    notice(T.actedOn(m.data, displayName(meta.by), until));
  },

  ERROR(m) {
    const code = m.metadata.code;
    const id = m.metadata.transfer_id;
    if (state.phase !== 'joined') {
      // Refused before joining. The form shows why; a name that needs its
      // password asks for it.
      let why = visible(m.data);
      if (code === 'name_taken' || code === 'name_invalid') why = T.nameRefused(why);
      if (code === 'auth_failed') why = T.wrongPassword;
      if (code === 'auth_required' || code === 'auth_failed') {
        if (code === 'auth_required') why = T.needPassword(visible(state.pending.name));
        state.pending.retryPassword = true;
      }
      return refuseJoin(why);
    }
    if (typeof id === 'string') {
      if (state.downloads.has(id)) return dropDownload(state.downloads.get(id), visible(m.data));
      if (state.uploads.has(id)) {
        state.uploads.get(id).stop = visible(m.data);
        return;
      }
    }
    if (code === 'server_shutdown') state.farewell = T.serverClosed;
    else if (code === 'kicked') state.farewell = visible(m.data);
    else errorLine(m.data);
  },
};

function welcome(m) {
  const meta = m.metadata;
  state.phase = 'joined';
  state.me = m.data;
  state.users = names(meta.users);
  state.maxFileSize = isCount(meta.max_file_size) ? meta.max_file_size : null;
  state.room = isName(meta.room) ? meta.room : null;
  state.members = [];
  if (isName(meta.role)) state.role = meta.role;
  const types = meta.file_types || {};
  state.fileTypes = { allow: names(types.allow), deny: names(types.deny) };
  ui.join.hidden = true;
  ui.chat.hidden = false;
  ui.message.disabled = false;
  setStatus(T.statusJoined(visible(state.me), serverAddress, state.role));
  notice(T.connected(serverAddress, visible(state.me)));
  if (state.pending && state.pending.registered) notice(T.registered(visible(state.me)));
  state.pending = null;
  // The password has done its job: it does not stay in the page.
  ui.password.value = '';
  ui.register.checked = false;
  if (state.room !== null) {
    // Who is in the room, and which rooms there are: asking for the room
    // we are in repeats its confirmation and tells nobody (section 8).
    send('ROOM_JOIN', state.room);
    send('ROOM_LIST', '');
  }
  showUsers();
  ui.message.focus();
}

// Room names compare ignoring ASCII case, like user names.
const sameName = (a, b) => isName(a) && isName(b) && asciiLower(a) === asciiLower(b);
const isLobby = (room) => sameName(room, 'lobby');

// A list of names to click: each talks to that person (or, for rooms,
// goes there); our own entry is marked and does nothing.
function nameItems(list, isMine, onPick, label = visible) {
  return list.map((name) => {
    const item = el('li', isMine(name) ? 'me here' : '', el('span', 'user-name', label(name)));
    if (!isMine(name)) {
      item.tabIndex = 0;
      item.title = name;
      item.addEventListener('click', () => onPick(name));
      item.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') onPick(name);
      });
    }
    return item;
  });
}

function showUsers() {
  const isMe = (name) => name === state.me;
  const rooms = state.room !== null;
  ui.roomSection.hidden = !rooms;
  ui.roomsSection.hidden = !rooms;
  if (rooms) {
    ui.roomTitle.textContent = T.roomTitle(visible(state.room), state.members.length);
    ui.members.replaceChildren(...nameItems(state.members, isMe, talkTo));
  }
  ui.peopleTitle.textContent = rooms ? T.everyoneOnline(state.users.length) : T.online(state.users.length);
  ui.users.replaceChildren(...nameItems(state.users, isMe, talkTo));
  // The "To" list: everyone (in the room), or one person; the choice
  // survives if they are still online.
  const chosen = ui.to.value;
  const options = [el('option', '', rooms ? T.everyoneIn(visible(state.room)) : T.everyone)];
  options[0].value = '';
  for (const name of state.users) {
    if (name === state.me) continue;
    const option = el('option', '', visible(name));
    option.value = name;
    options.push(option);
  }
  ui.to.replaceChildren(...options);
  ui.to.value = state.users.includes(chosen) ? chosen : '';
}

function showRooms() {
  const here = (name) => sameName(name, state.room);
  const count = new Map(state.rooms.map((room) => [room.name, room.members]));
  const label = (name) => T.roomEntry(visible(name), count.get(name));
  const list = state.rooms.map((room) => room.name);
  ui.rooms.replaceChildren(...nameItems(list, here, goToRoom, label));
}

function goToRoom(name) {
  const room = name.replace(/^#/, '');
  if (room === '') return notice(T.usageJoin);
  send('ROOM_JOIN', room);
  ui.message.focus();
  return undefined;
}

// Names are compared ignoring ASCII case, as the server compares them; the
// answer is the name as its owner spells it.
const asciiLower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function findUser(name) {
  const key = asciiLower(name);
  return state.users.find((user) => asciiLower(user) === key) || null;
}

function talkTo(name) {
  ui.to.value = name;
  ui.message.focus();
}

// ---------------------------------------------------------------------------
// What the person types
// ---------------------------------------------------------------------------

function submitMessage() {
  const line = ui.message.value;
  if (line.trim() === '' || state.phase !== 'joined') return;
  ui.message.value = '';
  if (line.startsWith('/')) return command(line);
  sendText(line, ui.to.value || null);
}

function sendText(text, to) {
  if (!send('TEXT', text, to ? { to } : {})) return;
  // The server does not echo our own messages; show them here.
  chatLine({ time: Date.now() / 1000, sender: state.me, text, isPrivate: Boolean(to), to, mine: true });
}

// "/msg @Bob hello" -> ["msg", "@Bob hello"]
function command(line) {
  const [, name, rest = ''] = /^\/(\S*)\s*([\s\S]*)$/.exec(line);
  switch (name) {
    case 'msg': {
      const found = /^@(\S+)\s+([\s\S]+)$/.exec(rest);
      if (!found) return notice(T.usageMsg);
      return sendText(found[2], found[1]);
    }
    case 'send': {
      const target = rest.trim();
      if (target && !target.startsWith('@')) return notice(T.usageSend);
      pickFileFor(target ? target.slice(1) : ui.to.value || null);
      return undefined;
    }
    case 'list':
      return send('USER_LIST', '');
    case 'join':
      return goToRoom(rest.trim());
    case 'rooms':
      state.asked.rooms = true;
      return send('ROOM_LIST', '');
    case 'who':
      // The room we are in, asked for again: its members, telling nobody.
      if (state.room === null) return send('USER_LIST', '');
      state.asked.who = true;
      return send('ROOM_JOIN', state.room);
    case 'history': {
      const limit = rest.trim() === '' ? 20 : Number(rest.trim());
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) return notice(T.usageHistory);
      state.asked.history += 1;
      return send('HISTORY', '', { limit });
    }
    case 'register':
      return openSecret('register');
    case 'passwd':
      return openSecret('passwd');
    case 'kick':
    case 'mute':
    case 'unmute':
    case 'op':
    case 'deop': {
      const found = /^@?(\S+)(?:\s+([0-9]+))?\s*$/.exec(rest);
      if (!found || (found[2] && name !== 'mute')) return notice(T.usageAdmin(name));
      const metadata = { target: found[1] };
      if (found[2]) metadata.seconds = Number(found[2]);
      return send('ADMIN', name, metadata);
    }
    case 'help':
      return notice(T.help);
    case 'quit':
      send('USER_LEAVE', state.me);
      state.farewell = T.goodbye;
      if (socket) socket.close(1000);
      return undefined;
    default:
      return notice(T.unknownCommand(visible(name)));
  }
}

// A password typed below the message box, for /register (this name, as
// a guest) and /passwd (a new password): REGISTER again, with a verifier
// worked out here. The password itself never leaves the page.
function openSecret(purpose) {
  state.secretFor = purpose;
  ui.secretLabel.textContent = purpose === 'passwd' ? T.secretPasswd : T.secretRegister;
  ui.secret.value = '';
  ui.secretForm.hidden = false;
  ui.secret.focus();
}

function closeSecret() {
  state.secretFor = null;
  ui.secret.value = '';
  ui.secretForm.hidden = true;
  ui.message.focus();
}

async function saveSecret() {
  const password = ui.secret.value;
  if (password === '') return notice(T.passwordEmpty);
  ui.secret.value = '';
  const progress = notice(T.deriving(0));
  const verifier = await makeVerifier(password, SCRAM_ITERATIONS, (done) => {
    progress.textContent = T.deriving(Math.floor(done * 100));
  });
  progress.textContent = T.deriving(100);
  send('REGISTER', state.me, verifier);
  return undefined;
}

// ---------------------------------------------------------------------------
// Sending a file: FILE, FILE_DATA chunks of 4096 bytes, FILE_COMPLETE
// ---------------------------------------------------------------------------

// The chunk size of the original (its BUFFER_SIZE), and how much of the
// file is read from disk at a time.
const CHUNK = 4096;
const READ_SIZE = 256 * 1024;
// Back-pressure: the browser queues what we send without limit, so stop
// handing it chunks while more than this is waiting to go out.
const HIGH_WATER = 1024 * 1024;

let fileTarget = null;

// The extension a receiver would see (src/filetypes.rs): what follows the
// last dot of the last path component, trailing dots and spaces removed,
// ignoring ASCII case.
function fileExtension(name) {
  const base = String(name).split(/[\\/]/).pop().replace(/[. ]+$/, '');
  const dot = base.lastIndexOf('.');
  return dot < 0 ? null : asciiLower(base.slice(dot + 1));
}

// The server's rules from the welcome (contract section 12): refused here,
// before a byte is sent. Deny wins; with an allow list, a name needs an
// extension it names.
function fileTypeAllowed(name) {
  const ext = fileExtension(name);
  const { allow, deny } = state.fileTypes;
  if (ext !== null && deny.includes(ext)) return false;
  return allow.length === 0 || (ext !== null && allow.includes(ext));
}

function pickFileFor(to) {
  fileTarget = to;
  ui.file.value = '';
  ui.file.click();
}

// A line with a progress bar, for a transfer either way.
function transferLine(text) {
  const bar = el('progress', '');
  bar.max = 1;
  bar.value = 0;
  const label = el('span', 'text', text);
  const line = addLine('notice transfer', label, bar);
  return { line, label, bar };
}

function progress(view, done, total) {
  view.bar.value = total > 0 ? done / total : 1;
}

function finishTransferLine(view, text) {
  view.bar.remove();
  view.label.textContent = text;
}

function waitForRoom() {
  return new Promise((resolve) => {
    const check = () => {
      if (!socket || socket.bufferedAmount < HIGH_WATER) resolve();
      else setTimeout(check, 10);
    };
    check();
  });
}

async function sendFile(file, to) {
  if (state.phase !== 'joined') return;
  const name = visible(file.name);
  if (to && !findUser(to)) return notice(T.cannotSend(name, T.noSuchUser(visible(to))));
  if (to) to = findUser(to);
  if (state.maxFileSize !== null && file.size > state.maxFileSize) {
    return notice(T.fileTooLarge(name, file.size, state.maxFileSize));
  }
  if (!fileTypeAllowed(file.name)) return notice(T.fileTypeRefused(name));
  state.nextTransferId += 1;
  const id = String(state.nextTransferId);
  const upload = { id, stop: null };
  state.uploads.set(id, upload);
  const view = transferLine(T.sendingFile(name, file.size, to && visible(to)));
  const started = performance.now();
  const offer = { transfer_id: id, size: file.size };
  if (to) offer.to = to;
  send('FILE', file.name, offer);
  const hash = new Sha256();
  let index = 0;
  try {
    for (let offset = 0; offset < file.size;) {
      const piece = new Uint8Array(await file.slice(offset, offset + READ_SIZE).arrayBuffer());
      if (piece.length === 0) throw new Error('the file got shorter');
      for (let at = 0; at < piece.length; at += CHUNK) {
        if (upload.stop) throw new Error(upload.stop);
        const chunk = piece.subarray(at, at + CHUNK);
        hash.update(chunk);
        send('FILE_DATA', toBase64(chunk), { transfer_id: id, index });
        index += 1;
        await waitForRoom();
      }
      offset += piece.length;
      progress(view, offset, file.size);
      // Let the page draw between pieces.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    if (upload.stop) throw new Error(upload.stop);
    send('FILE_COMPLETE', file.name, { transfer_id: id, size: file.size, sha256: hash.hex() });
    finishTransferLine(view, T.fileSent(name, file.size, (performance.now() - started) / 1000));
  } catch (error) {
    const why = upload.stop || T.cannotRead(name);
    // Tell the server, so receivers are not left waiting.
    if (!upload.stop) send('ERROR', why, { code: 'transfer_aborted', transfer_id: id });
    finishTransferLine(view, T.fileSendStopped(name, why));
  } finally {
    state.uploads.delete(id);
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Receiving a file: checked with SHA-256 before it is offered for saving
// ---------------------------------------------------------------------------

function receiveOffer(m) {
  const meta = m.metadata;
  const id = meta.transfer_id;
  if (typeof id !== 'string' || !isCount(meta.size) || state.downloads.has(id)) return;
  const sender = isName(meta.sender) ? meta.sender : '?';
  const download = {
    id,
    name: m.data,
    sender,
    size: meta.size,
    received: 0,
    next: 0,
    hash: new Sha256(),
    parts: [],
    view: transferLine(T.incomingFile(displayName(sender), visible(m.data), meta.size)),
  };
  state.downloads.set(id, download);
}

function dropDownload(download, why) {
  state.downloads.delete(download.id);
  download.parts = [];
  finishTransferLine(download.view, T.fileNotKept(visible(download.name), displayName(download.sender), why));
}

function receiveChunk(m) {
  const download = state.downloads.get(m.metadata.transfer_id);
  if (!download) return;
  if (m.metadata.index !== download.next) {
    return dropDownload(download, T.whyOrder(download.next, m.metadata.index));
  }
  let bytes;
  try {
    bytes = fromBase64(m.data);
  } catch {
    return dropDownload(download, T.whyBase64);
  }
  if (download.received + bytes.length > download.size) {
    return dropDownload(download, T.whyTooMuch(download.size));
  }
  download.next += 1;
  download.received += bytes.length;
  download.hash.update(bytes);
  download.parts.push(bytes);
  progress(download.view, download.received, download.size);
  return undefined;
}

// Path separators and invisible characters out of a name we suggest for
// saving (the browser cleans it up further, as every browser does).
function safeFileName(name) {
  const base = String(name).split(/[\\/]/).pop().replace(INVISIBLE, '_').trim();
  return base && base !== '.' && base !== '..' ? base : 'download';
}

function receiveComplete(m) {
  const download = state.downloads.get(m.metadata.transfer_id);
  if (!download) return;
  if (download.received !== download.size || m.metadata.size !== download.size) {
    return dropDownload(download, T.whySize(download.size, download.received));
  }
  const expected = typeof m.metadata.sha256 === 'string' ? m.metadata.sha256.toLowerCase() : '';
  if (download.hash.hex() !== expected) return dropDownload(download, T.whyChecksum);
  state.downloads.delete(download.id);
  // application/octet-stream: the browser saves it, never shows or runs it.
  const blob = new Blob(download.parts, { type: 'application/octet-stream' });
  download.parts = [];
  const name = safeFileName(download.name);
  const link = el('a', '', T.saveLink(visible(name)));
  link.href = URL.createObjectURL(blob);
  link.download = name;
  finishTransferLine(download.view, `${T.fileReceived(visible(download.name), displayName(download.sender), download.size)} `);
  download.view.line.append(link);
  return undefined;
}

// ---------------------------------------------------------------------------
// Wiring
// ---------------------------------------------------------------------------

ui.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = ui.name.value.trim();
  if (!name) {
    ui.joinError.textContent = T.nameEmpty;
    return;
  }
  if (ui.register.checked && ui.password.value === '') {
    ui.joinError.textContent = T.passwordEmpty;
    ui.password.focus();
    return;
  }
  if (state.phase === 'idle') join(name, ui.password.value, ui.register.checked);
});

ui.rejoin.addEventListener('click', () => {
  ui.rejoin.hidden = true;
  if (state.phase === 'idle') join(ui.name.value.trim(), ui.password.value, false);
});

ui.roomForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const room = ui.roomName.value.trim();
  ui.roomName.value = '';
  goToRoom(room);
});

ui.roomsRefresh.addEventListener('click', () => send('ROOM_LIST', ''));

ui.secretForm.addEventListener('submit', (event) => {
  event.preventDefault();
  saveSecret();
});

ui.secretCancel.addEventListener('click', closeSecret);

ui.compose.addEventListener('submit', (event) => {
  event.preventDefault();
  submitMessage();
});

ui.fileButton.addEventListener('click', () => pickFileFor(ui.to.value || null));

ui.file.addEventListener('change', () => {
  for (const file of ui.file.files) sendFile(file, fileTarget);
});

// Drag and drop anywhere on the page while joined; the file goes to whoever
// is chosen under "To".
let dragDepth = 0;
const carriesFiles = (event) => Array.from(event.dataTransfer?.types || []).includes('Files');

document.addEventListener('dragenter', (event) => {
  if (!carriesFiles(event) || state.phase !== 'joined') return;
  dragDepth += 1;
  ui.drop.hidden = false;
});
document.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) ui.drop.hidden = true;
});
document.addEventListener('dragover', (event) => {
  if (carriesFiles(event)) event.preventDefault();
});
document.addEventListener('drop', (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault();
  dragDepth = 0;
  ui.drop.hidden = true;
  for (const file of event.dataTransfer.files) sendFile(file, ui.to.value || null);
});

translatePage();
ui.message.disabled = true;
ui.name.focus();

// For the browser test (and the curious, in the console): the pure parts.
window.socketChat = Object.freeze({
  dumps, sha256Hex, toBase64, fromBase64, visible, safeFileName, fileExtension, state,
  hmacSha256, pbkdf2Own, makeVerifier, ScramClient,
});

})();
