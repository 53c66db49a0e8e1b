//! The tests of SCRAM-SHA-256: the RFC 7677 example byte for byte, full
//! exchanges, unknown names, and every malformed message we could think of.

use super::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

// The example exchange of RFC 7677 section 3: user "user", password
// "pencil", and the nonces fixed so that every byte is known.
const CLIENT_NONCE: &str = "rOprNGfwEbeRWgbNEkqO";
const SERVER_NONCE: &str = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
const SALT: &str = "W22ZaJ0SNY7soEsUEjb6gQ==";
const CLIENT_FIRST: &str = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
const SERVER_FIRST: &str =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const CLIENT_FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
                            p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
/// The combined nonce of the example.
const NONCE: &str = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";

fn secret() -> ServerSecret {
    ServerSecret::from_bytes([7; DIGEST_LEN])
}

/// The example's verifier, as the server would keep it.
fn example_verifier() -> Verifier {
    let salt = base64::decode(SALT).expect("the RFC's salt is base64");
    Verifier::from_password("pencil", salt, 4096).expect("the RFC's verifier is strong enough")
}

/// The example's server, after it has sent its server-first message.
fn example_server() -> ServerFirst {
    example_server_for(Some(&example_verifier()))
}

fn example_server_for(verifier: Option<&Verifier>) -> ServerFirst {
    ServerStart::receive_client_first(CLIENT_FIRST)
        .expect("the RFC's client-first parses")
        .answer_with_nonce(verifier, &secret(), SERVER_NONCE)
        .expect("the RFC's server nonce is printable")
}

/// The example's client, before it has read the server-first message.
fn example_client(password: &str) -> ClientFirst {
    ClientFirst::with_nonce("user", password, CLIENT_NONCE).expect("a valid start")
}

/// The example's client after its client-final message, built directly so
/// that tests of server-final parsing need not run PBKDF2 every time.
fn example_client_final() -> ClientFinal {
    let signature = SERVER_FINAL.strip_prefix("v=").expect("v=");
    ClientFinal {
        message: CLIENT_FINAL.to_owned(),
        server_signature: decode_key('v', signature).expect("the RFC's signature decodes"),
    }
}

#[test]
fn rfc7677_example_client_side_byte_for_byte() {
    let client = example_client("pencil");
    assert_eq!(client.message(), CLIENT_FIRST);
    let client = client
        .receive_server_first(SERVER_FIRST)
        .expect("the RFC's server-first is valid");
    assert_eq!(client.message(), CLIENT_FINAL);
    client
        .receive_server_final(SERVER_FINAL)
        .expect("the RFC's server signature checks out");
}

#[test]
fn rfc7677_example_server_side_byte_for_byte() {
    let verifier = example_verifier();
    // StoredKey and ServerKey for the example, computed with Python's
    // hashlib and hmac (the RFC does not list them).
    assert_eq!(
        base64::encode(&verifier.stored_key),
        "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
    );
    assert_eq!(
        base64::encode(&verifier.server_key),
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="
    );

    let start = ServerStart::receive_client_first(CLIENT_FIRST).expect("valid");
    assert_eq!(start.username(), "user");
    let server = start
        .answer_with_nonce(Some(&verifier), &secret(), SERVER_NONCE)
        .expect("valid nonce");
    assert_eq!(server.message(), SERVER_FIRST);
    assert_eq!(server.username(), "user");
    assert_eq!(
        server
            .receive_client_final(CLIENT_FINAL)
            .expect("right proof"),
        SERVER_FINAL
    );
}

#[test]
fn a_whole_login_with_random_nonces_and_salt() {
    let verifier = Verifier::generate("correct horse", MIN_ITERATIONS).expect("random source");
    let client = ClientFirst::new("Alice", "correct horse").expect("random source");
    let start = ServerStart::receive_client_first(client.message()).expect("valid");
    assert_eq!(start.username(), "Alice");
    let server = start.answer(Some(&verifier), &secret()).expect("random");
    let client = client
        .receive_server_first(server.message())
        .expect("valid server-first");
    let server_final = server
        .receive_client_final(client.message())
        .expect("right password");
    client
        .receive_server_final(&server_final)
        .expect("the real server's signature");
}

#[test]
fn nonces_are_random_and_printable() {
    let a = ClientFirst::new("bob", "pw").expect("random source");
    let b = ClientFirst::new("bob", "pw").expect("random source");
    assert_ne!(a.message(), b.message());
    assert_eq!(a.nonce.len(), 24, "18 random bytes in base64");
    check_nonce(&a.nonce).expect("printable");
}

#[test]
fn a_wrong_password_fails_at_the_server() {
    let client = example_client("pencil!")
        .receive_server_first(SERVER_FIRST)
        .expect("valid server-first");
    let error = example_server()
        .receive_client_final(client.message())
        .expect_err("a wrong password");
    assert!(matches!(error, ScramError::AuthFailed), "{error:?}");
}

#[test]
fn a_replayed_proof_fails_on_a_new_server_nonce() {
    // An eavesdropper who recorded the RFC's exchange replays its client-final
    // on a login whose server nonce differs: the nonce no longer matches, and
    // with the nonce rewritten the proof no longer does.
    let server = ServerStart::receive_client_first(CLIENT_FIRST)
        .expect("valid")
        .answer_with_nonce(Some(&example_verifier()), &secret(), "fresh")
        .expect("valid nonce");
    let error = server
        .receive_client_final(CLIENT_FINAL)
        .expect_err("replay");
    assert!(matches!(error, ScramError::NonceMismatch), "{error:?}");

    let server = ServerStart::receive_client_first(CLIENT_FIRST)
        .expect("valid")
        .answer_with_nonce(Some(&example_verifier()), &secret(), "fresh")
        .expect("valid nonce");
    let rewritten = CLIENT_FINAL.replace(SERVER_NONCE, "fresh");
    let error = server.receive_client_final(&rewritten).expect_err("replay");
    assert!(matches!(error, ScramError::AuthFailed), "{error:?}");
}

#[test]
fn the_client_refuses_a_server_without_the_verifier() {
    // An impostor answers with any salt it likes, then cannot compute the
    // signature: it does not know ServerKey.
    let client = example_client("pencil")
        .receive_server_first(SERVER_FIRST)
        .expect("valid server-first");
    let forged = format!("v={}", base64::encode(&[0u8; DIGEST_LEN]));
    let error = client.receive_server_final(&forged).expect_err("forged");
    assert!(
        matches!(error, ScramError::ServerSignatureMismatch),
        "{error:?}"
    );
    assert!(error.to_string().contains("not the server"));

    // A server holding another password's verifier signs with the wrong key
    // too; here the impostor replays the right signature from another login.
    let other = ClientFirst::with_nonce("user", "pencil", "another-nonce")
        .expect("valid")
        .receive_server_first(&SERVER_FIRST.replace(CLIENT_NONCE, "another-nonce"))
        .expect("valid server-first");
    let error = other
        .receive_server_final(SERVER_FINAL)
        .expect_err("replayed");
    assert!(
        matches!(error, ScramError::ServerSignatureMismatch),
        "{error:?}"
    );
}

#[test]
fn names_with_commas_and_equals_signs_are_escaped() {
    let client = ClientFirst::with_nonce("a,b=c", "pw", "n0nce").expect("valid");
    assert_eq!(client.message(), "n,,n=a=2Cb=3Dc,r=n0nce");
    let start = ServerStart::receive_client_first(client.message()).expect("valid");
    assert_eq!(start.username(), "a,b=c");

    // Escapes next to each other and at both ends, and other scripts.
    for name in ["=", ",", "=,=", "==2C", "用户", "Zoë"] {
        let client = ClientFirst::with_nonce(name, "pw", "n0nce").expect("valid");
        let start = ServerStart::receive_client_first(client.message()).expect("valid");
        assert_eq!(start.username(), name);
    }
}

#[test]
fn the_client_refuses_names_and_nonces_it_cannot_send() {
    let error = |result: Result<ClientFirst, ScramError>| match result {
        Ok(_) => panic!("accepted"),
        Err(error) => error,
    };
    assert!(matches!(
        error(ClientFirst::with_nonce("", "pw", "abc")),
        ScramError::EmptyValue { attribute: 'n' }
    ));
    assert!(matches!(
        error(ClientFirst::with_nonce("a\0b", "pw", "abc")),
        ScramError::NulInName
    ));
    for nonce in ["", "a,b", "a b", "é", &"x".repeat(MAX_NONCE_LEN + 1)] {
        assert!(matches!(
            error(ClientFirst::with_nonce("bob", "pw", nonce)),
            ScramError::BadNonce
        ));
    }
    assert!(matches!(
        error(ClientFirst::with_nonce(&"=".repeat(400), "pw", "abc")),
        ScramError::TooLong { .. }
    ));
}

// ---------------------------------------------------------------------------
// Names with no account

#[test]
fn an_unknown_name_gets_an_answer_shaped_like_a_real_accounts() {
    let answer = |name: &str, secret: &ServerSecret| {
        let first = format!("n,,n={},r={CLIENT_NONCE}", escape_name(name));
        ServerStart::receive_client_first(&first)
            .expect("valid")
            .answer_with_nonce(None, secret, SERVER_NONCE)
            .expect("valid nonce")
            .message()
            .to_owned()
    };
    let server_first = answer("nobody", &secret());
    let decoy = parse_server_first(&server_first, CLIENT_NONCE).expect("valid");
    let real = Verifier::from_password("pw", vec![1; SALT_LEN], DEFAULT_ITERATIONS)
        .expect("strong enough");
    // A real account made with the client's defaults has a salt of the same
    // length and the same count.
    assert_eq!(decoy.salt.len(), real.salt.len());
    assert_eq!(decoy.iterations, real.iterations);
    assert_eq!(decoy.nonce, NONCE);

    // The same name gets the same salt every time, ignoring ASCII case as
    // names are compared; another name or another server's secret, another.
    assert_eq!(answer("nobody", &secret()), answer("nobody", &secret()));
    assert_eq!(answer("nobody", &secret()), answer("NoBody", &secret()));
    assert_ne!(answer("nobody", &secret()), answer("nobody2", &secret()));
    let other_secret = ServerSecret::from_bytes([8; DIGEST_LEN]);
    assert_ne!(answer("nobody", &secret()), answer("nobody", &other_secret));
}

#[test]
fn an_unknown_name_fails_at_the_proof_like_a_wrong_password() {
    // The right proof for the example's account, sent to a server that has
    // no account "user": it fails as a wrong password does.
    let error = example_server_for(None)
        .receive_client_final(CLIENT_FINAL)
        .expect_err("no account");
    assert!(matches!(error, ScramError::AuthFailed), "{error:?}");

    // And a login marked unknown fails even if its keys matched: the decoy's
    // keys are only a second line of defence.
    let mut server = example_server();
    server.known = false;
    let error = server
        .receive_client_final(CLIENT_FINAL)
        .expect_err("marked unknown");
    assert!(matches!(error, ScramError::AuthFailed), "{error:?}");
}

#[test]
fn a_server_secret_round_trips_and_is_not_printed() {
    let secret = ServerSecret::generate().expect("random source");
    let again = ServerSecret::from_bytes(*secret.as_bytes());
    assert_eq!(secret.as_bytes(), again.as_bytes());
    assert_ne!(
        secret.as_bytes(),
        ServerSecret::generate().expect("random").as_bytes()
    );
    assert_eq!(format!("{secret:?}"), "ServerSecret(..)");
}

// ---------------------------------------------------------------------------
// Verifiers

#[test]
fn a_generated_verifier_has_a_fresh_salt_and_checks() {
    let a = Verifier::generate("pw", MIN_ITERATIONS).expect("random source");
    let b = Verifier::generate("pw", MIN_ITERATIONS).expect("random source");
    assert_eq!(a.salt.len(), SALT_LEN);
    assert_ne!(a.salt, b.salt);
    assert_ne!(a.stored_key, b.stored_key, "same password, other salt");
    a.check().expect("within the limits");
    assert_eq!(
        Verifier::from_password("pw", a.salt.clone(), MIN_ITERATIONS).expect("valid"),
        a
    );
}

#[test]
fn weak_or_extreme_verifiers_are_refused() {
    let error = |salt_len: usize, iterations: u32| {
        Verifier::from_password("pw", vec![0; salt_len], iterations).expect_err("refused")
    };
    assert!(matches!(
        error(SALT_LEN, 4095),
        ScramError::IterationsTooLow { iterations: 4095 }
    ));
    assert!(matches!(
        error(SALT_LEN, 0),
        ScramError::IterationsTooLow { iterations: 0 }
    ));
    assert!(matches!(
        error(SALT_LEN, MAX_ITERATIONS + 1),
        ScramError::IterationsTooHigh
    ));
    assert!(matches!(
        error(0, 4096),
        ScramError::BadSaltLength { len: 0 }
    ));
    assert!(matches!(
        error(SALT_LEN - 1, 4096),
        ScramError::BadSaltLength { .. }
    ));
    assert!(matches!(
        error(MAX_SALT_LEN + 1, 4096),
        ScramError::BadSaltLength { .. }
    ));

    // What a server checks on REGISTER, where the verifier arrives built.
    let mut verifier = example_verifier();
    verifier.check().expect("the RFC's is fine");
    verifier.iterations = 1000;
    assert!(matches!(
        verifier.check(),
        Err(ScramError::IterationsTooLow { iterations: 1000 })
    ));
    verifier.iterations = 4096;
    verifier.salt = vec![1; 8];
    assert!(matches!(
        verifier.check(),
        Err(ScramError::BadSaltLength { len: 8 })
    ));
}

#[test]
fn a_verifier_prints_no_keys() {
    let shown = format!("{:?}", example_verifier());
    assert_eq!(shown, "Verifier { salt_len: 16, iterations: 4096, .. }");
}

// ---------------------------------------------------------------------------
// Malformed messages: each is refused with the error that names its fault.

/// Malformed client-first messages, each with the error it gets (as `Debug`
/// shows it, so that the test names the exact variant and fields).
const CLIENT_FIRST_CASES: &[(&str, &str)] = &[
    ("", "BadGs2Header"),
    ("n,,", "MissingAttribute { expected: 'n' }"),
    ("n,", "BadGs2Header"),
    ("n", "BadGs2Header"),
    ("n=user,r=abc", "BadGs2Header"),
    ("N,,n=user,r=abc", "BadGs2Header"),
    (" n,,n=user,r=abc", "BadGs2Header"),
    ("x,,n=user,r=abc", "BadGs2Header"),
    ("y,,n=user,r=abc", "ChannelBindingUnsupported"),
    ("p=tls-unique,,n=user,r=abc", "ChannelBindingUnsupported"),
    (
        "p=tls-server-end-point,,n=user,r=abc",
        "ChannelBindingUnsupported",
    ),
    ("n,a=admin,n=user,r=abc", "AuthzidUnsupported"),
    ("n,x,n=user,r=abc", "BadGs2Header"),
    ("n,,m=ext,n=user,r=abc", "MandatoryExtension"),
    (
        "n,,r=abc,n=user",
        "UnexpectedAttribute { expected: 'n', found: 'r' }",
    ),
    ("n,,n=user", "MissingAttribute { expected: 'r' }"),
    ("n,,n=user,", "BadAttribute"),
    (
        "n,,n=user,s=abc",
        "UnexpectedAttribute { expected: 'r', found: 's' }",
    ),
    ("n,,n=,r=abc", "EmptyValue { attribute: 'n' }"),
    ("n,,n=user,r=", "EmptyValue { attribute: 'r' }"),
    ("n,,n,r=abc", "BadAttribute"),
    ("n,,=user,r=abc", "BadAttribute"),
    ("n,,nn=user,r=abc", "BadAttribute"),
    ("n,,1=user,r=abc", "BadAttribute"),
    ("n,,é=user,r=abc", "BadAttribute"),
    ("n,,n=us=er,r=abc", "BadNameEscape"),
    ("n,,n=user=,r=abc", "BadNameEscape"),
    ("n,,n=user=2,r=abc", "BadNameEscape"),
    ("n,,n=us=2cer,r=abc", "BadNameEscape"),
    ("n,,n=us=3der,r=abc", "BadNameEscape"),
    ("n,,n==41,r=abc", "BadNameEscape"),
    ("n,,n=us\0er,r=abc", "NulInName"),
    ("n,,n=user,r=ab cd", "BadNonce"),
    ("n,,n=user,r=abc\t", "BadNonce"),
    ("n,,n=user,r=abcé", "BadNonce"),
    ("n,,n=user,r=abc\u{7f}", "BadNonce"),
    ("n,,n=user,r=abc,r=def", "MisplacedAttribute { found: 'r' }"),
    ("n,,n=user,r=abc,n=bob", "MisplacedAttribute { found: 'n' }"),
    ("n,,n=user,r=abc,m=ext", "MisplacedAttribute { found: 'm' }"),
    ("n,,n=user,r=abc,x=", "EmptyValue { attribute: 'x' }"),
    ("n,,n=user,r=abc,xyz", "BadAttribute"),
    ("n,,n=user,r=abc,,x=1", "BadAttribute"),
];

#[test]
fn malformed_client_first_messages_are_refused() {
    check_refused(CLIENT_FIRST_CASES, |message| {
        ServerStart::receive_client_first(message).expect_err(message)
    });
}

#[test]
fn long_client_first_fields_are_refused() {
    let long_nonce = format!("n,,n=user,r={}", "a".repeat(MAX_NONCE_LEN + 1));
    assert!(matches!(
        ServerStart::receive_client_first(&long_nonce),
        Err(ScramError::BadNonce)
    ));
    let huge = format!("n,,n={},r=abc", "u".repeat(MAX_MESSAGE_LEN));
    assert!(matches!(
        ServerStart::receive_client_first(&huge),
        Err(ScramError::TooLong { len }) if len == huge.len()
    ));
    // A megabyte of commas: refused by its length before anything is split.
    let commas = ",".repeat(1 << 20);
    assert!(matches!(
        ServerStart::receive_client_first(&commas),
        Err(ScramError::TooLong { .. })
    ));
}

#[test]
fn client_first_extensions_we_do_not_know_are_ignored() {
    let start = ServerStart::receive_client_first("n,,n=user,r=abc,x=1,y=two").expect("extensions");
    assert_eq!(start.username(), "user");
    assert_eq!(start.client_nonce, "abc");
}

/// The error the example's client gets for `server_first`.
fn server_first_error(server_first: &str) -> ScramError {
    match example_client("pencil").receive_server_first(server_first) {
        Ok(_) => panic!("accepted {server_first:?}"),
        Err(error) => error,
    }
}

#[test]
fn malformed_server_first_messages_are_refused() {
    let r = format!("r={NONCE}");
    let s = format!("s={SALT}");
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "MissingAttribute { expected: 'r' }"),
        (r.clone(), "MissingAttribute { expected: 's' }"),
        (format!("{r},{s}"), "MissingAttribute { expected: 'i' }"),
        (
            format!("{s},{r},i=4096"),
            "UnexpectedAttribute { expected: 'r', found: 's' }",
        ),
        (
            format!("{r},i=4096,{s}"),
            "UnexpectedAttribute { expected: 's', found: 'i' }",
        ),
        (format!("m=x,{r},{s},i=4096"), "MandatoryExtension"),
        (
            format!("{r},{s},i=4096,m=x"),
            "MisplacedAttribute { found: 'm' }",
        ),
        (
            format!("{r},{s},i=4096,s=abcd"),
            "MisplacedAttribute { found: 's' }",
        ),
        (
            "e=other-error".to_owned(),
            "UnexpectedAttribute { expected: 'r', found: 'e' }",
        ),
        // The nonce: not ours, ours with nothing added, ours cut short.
        (format!("r=XYZ{SERVER_NONCE},{s},i=4096"), "NonceMismatch"),
        (format!("r=x{NONCE},{s},i=4096"), "NonceMismatch"),
        (format!("r={CLIENT_NONCE},{s},i=4096"), "NonceMismatch"),
        (
            format!("r={},{s},i=4096", &CLIENT_NONCE[..10]),
            "NonceMismatch",
        ),
        (format!("r={NONCE} x,{s},i=4096"), "BadNonce"),
        (format!("r={NONCE}é,{s},i=4096"), "BadNonce"),
        // The salt: not base64, not canonical, too short, too long.
        (
            format!("{r},s=!!!!,i=4096"),
            "BadBase64 { attribute: 's', error: InvalidByte { offset: 0, byte: 33 } }",
        ),
        (
            format!("{r},s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096"),
            "BadBase64 { attribute: 's', error: InvalidLength { len: 23 } }",
        ),
        (
            format!("{r},s=W22ZaJ0SNY7soEsUEjb6gR==,i=4096"),
            "BadBase64 { attribute: 's', error: InvalidPadding { offset: 21 } }",
        ),
        (format!("{r},s=,i=4096"), "EmptyValue { attribute: 's' }"),
        (
            format!("{r},s=AAAAAAAAAAA=,i=4096"),
            "BadSaltLength { len: 8 }",
        ),
        (
            format!("{r},s={},i=4096", base64::encode(&[0; MAX_SALT_LEN + 1])),
            "BadSaltLength { len: 65 }",
        ),
        // The count: below the floor, not a number, absurd.
        (
            format!("{r},{s},i=4095"),
            "IterationsTooLow { iterations: 4095 }",
        ),
        (format!("{r},{s},i=1"), "IterationsTooLow { iterations: 1 }"),
        (format!("{r},{s},i=0"), "BadIterationCount"),
        (format!("{r},{s},i=04096"), "BadIterationCount"),
        (format!("{r},{s},i=-4096"), "BadIterationCount"),
        (format!("{r},{s},i=+4096"), "BadIterationCount"),
        (format!("{r},{s},i=4096.0"), "BadIterationCount"),
        (format!("{r},{s},i= 4096"), "BadIterationCount"),
        (format!("{r},{s},i=４０９６"), "BadIterationCount"),
        (format!("{r},{s},i=abc"), "BadIterationCount"),
        (format!("{r},{s},i="), "EmptyValue { attribute: 'i' }"),
        (format!("{r},{s},i=10000001"), "IterationsTooHigh"),
        (format!("{r},{s},i=4294967296"), "IterationsTooHigh"),
        (
            format!("{r},{s},i={}", "9".repeat(500)),
            "IterationsTooHigh",
        ),
        (format!("{r},{s},i=4096,"), "BadAttribute"),
        (
            format!("{r},{s},i=4096,x="),
            "EmptyValue { attribute: 'x' }",
        ),
        (
            format!("{r},{s},i=4096,x={}", "y".repeat(MAX_MESSAGE_LEN)),
            "TooLong { len: 1113 }",
        ),
    ];
    check_refused(&cases, server_first_error);
}

#[test]
fn server_first_extensions_we_do_not_know_are_ignored() {
    // They are still part of the AuthMessage, so the proof covers them.
    let with_extension = format!("{SERVER_FIRST},x=1");
    let client = example_client("pencil")
        .receive_server_first(&with_extension)
        .expect("an extension is ignored");
    assert_ne!(
        client.message(),
        CLIENT_FINAL,
        "the proof signs the extension"
    );
}

/// The error the example's server gets for `client_final`.
fn client_final_error(client_final: &str) -> ScramError {
    example_server()
        .receive_client_final(client_final)
        .expect_err(client_final)
}

#[test]
fn malformed_client_final_messages_are_refused() {
    let (without_proof, p) = CLIENT_FINAL.rsplit_once(',').expect("a proof");
    let r = format!("r={NONCE}");
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "MissingAttribute { expected: 'c' }"),
        ("c=biws".to_owned(), "MissingAttribute { expected: 'r' }"),
        (
            without_proof.to_owned(),
            "MissingAttribute { expected: 'p' }",
        ),
        (
            format!("{r},c=biws,{p}"),
            "UnexpectedAttribute { expected: 'c', found: 'r' }",
        ),
        (
            format!("c=biws,{p},{r}"),
            "UnexpectedAttribute { expected: 'r', found: 'p' }",
        ),
        (
            format!("{without_proof},{p},x=1"),
            "UnexpectedAttribute { expected: 'p', found: 'x' }",
        ),
        (
            format!("{without_proof},r=again,{p}"),
            "MisplacedAttribute { found: 'r' }",
        ),
        (
            format!("{without_proof},m=x,{p}"),
            "MisplacedAttribute { found: 'm' }",
        ),
        (format!("{without_proof},,{p}"), "BadAttribute"),
        (format!("{without_proof},{p},"), "BadAttribute"),
        // Channel binding: `y,,` and `p=` spelled in base64, or nonsense.
        (format!("c=eSws,{r},{p}"), "ChannelBindingMismatch"),
        (
            format!("c={},{r},{p}", base64::encode(b"p=tls-unique,,")),
            "ChannelBindingMismatch",
        ),
        (format!("c=,{r},{p}"), "EmptyValue { attribute: 'c' }"),
        (
            format!("c=biws=,{r},{p}"),
            "BadBase64 { attribute: 'c', error: InvalidLength { len: 5 } }",
        ),
        (
            format!("c=b*ws,{r},{p}"),
            "BadBase64 { attribute: 'c', error: InvalidByte { offset: 1, byte: 42 } }",
        ),
        // The nonce: the client's alone, another server's, one character more.
        (format!("c=biws,r={CLIENT_NONCE},{p}"), "NonceMismatch"),
        (format!("c=biws,r={CLIENT_NONCE}other,{p}"), "NonceMismatch"),
        (format!("c=biws,{r}x,{p}"), "NonceMismatch"),
        (format!("c=biws,r=,{p}"), "EmptyValue { attribute: 'r' }"),
        // The proof: not base64, too short, too long, wrong.
        (
            format!("{without_proof},p=dHzb%apW"),
            "BadBase64 { attribute: 'p', error: InvalidByte { offset: 4, byte: 37 } }",
        ),
        (
            format!("{without_proof},p="),
            "EmptyValue { attribute: 'p' }",
        ),
        (
            format!("{without_proof},p={}", base64::encode(&[1; 31])),
            "BadKeyLength { attribute: 'p', len: 31 }",
        ),
        (
            format!("{without_proof},p={}", base64::encode(&[1; 33])),
            "BadKeyLength { attribute: 'p', len: 33 }",
        ),
        (
            format!("{without_proof},p={}", base64::encode(&[0; 32])),
            "AuthFailed",
        ),
        // An extension the proof did not cover: the AuthMessage differs.
        (format!("{without_proof},x=1,{p}"), "AuthFailed"),
        (
            format!("c=biws,{r},p={}", "A".repeat(MAX_MESSAGE_LEN)),
            "TooLong { len: 1086 }",
        ),
    ];
    check_refused(&cases, client_final_error);
}

#[test]
fn malformed_server_final_messages_are_refused() {
    let signature = SERVER_FINAL.strip_prefix("v=").expect("v=");
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "MissingAttribute { expected: 'v' }"),
        (
            "x=1".to_owned(),
            "UnexpectedAttribute { expected: 'v', found: 'x' }",
        ),
        ("v=".to_owned(), "EmptyValue { attribute: 'v' }"),
        (format!(",{SERVER_FINAL}"), "BadAttribute"),
        (
            format!("v={}", &signature[1..]),
            "BadBase64 { attribute: 'v', error: InvalidLength { len: 43 } }",
        ),
        (
            format!("v={}", base64::encode(&[1; 16])),
            "BadKeyLength { attribute: 'v', len: 16 }",
        ),
        (
            format!("v={}", base64::encode(&[1; 32])),
            "ServerSignatureMismatch",
        ),
        (
            SERVER_FINAL.replace("6rri", "6rrj"),
            "ServerSignatureMismatch",
        ),
        (
            format!("{SERVER_FINAL},v=again"),
            "MisplacedAttribute { found: 'v' }",
        ),
        (format!("{SERVER_FINAL},"), "BadAttribute"),
        (
            "e=invalid-proof".to_owned(),
            "ServerError(\"invalid-proof\")",
        ),
        (
            "e=other-error,x=1".to_owned(),
            "ServerError(\"other-error\")",
        ),
        ("e=\u{1b}[2J".to_owned(), "BadServerError"),
        (format!("e={}", "a".repeat(65)), "BadServerError"),
        ("e=".to_owned(), "EmptyValue { attribute: 'e' }"),
        (
            format!("v={}", "A".repeat(MAX_MESSAGE_LEN)),
            "TooLong { len: 1026 }",
        ),
    ];
    check_refused(&cases, |message| {
        example_client_final()
            .receive_server_final(message)
            .expect_err(message)
    });
    // A server's own error names are shown, and nothing else.
    let error = example_client_final()
        .receive_server_final("e=invalid-proof")
        .expect_err("e=");
    assert_eq!(
        error.to_string(),
        "the server refused the login: invalid-proof"
    );
    // Extensions after a good signature are ignored.
    example_client_final()
        .receive_server_final(&format!("{SERVER_FINAL},x=1"))
        .expect("an extension is ignored");
}

/// Checks that `refuse` gives each message the error its row names (as
/// `Debug` shows it), and that a person can read that error: a sentence on
/// one line, with no control characters from the message.
fn check_refused<M: AsRef<str>>(cases: &[(M, &str)], refuse: impl Fn(&str) -> ScramError) {
    for (message, expected) in cases {
        let message = message.as_ref();
        let error = refuse(message);
        assert_eq!(format!("{error:?}"), *expected, "{message:?}");
        let shown = error.to_string();
        assert!(shown.len() > 10, "{shown:?}");
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }
}

// ---------------------------------------------------------------------------
// Random damage: no panic, and no damaged message accepted.

/// Damages `message` once: deletes, inserts, replaces, duplicates or swaps
/// characters or whole attributes.
fn mutate(message: &str, rng: &mut StdRng) -> String {
    const PALETTE: [char; 14] = [
        ',', '=', 'a', 'Z', '0', '9', '\0', 'é', '用', ' ', '+', '/', '%', '\u{1b}',
    ];
    let mut chars: Vec<char> = message.chars().collect();
    match rng.random_range(0..6) {
        0 if !chars.is_empty() => {
            let start = rng.random_range(0..chars.len());
            let end = rng.random_range(start..=chars.len().min(start + 4));
            chars.drain(start..end);
        }
        1 => {
            let at = rng.random_range(0..=chars.len());
            chars.insert(at, PALETTE[rng.random_range(0..PALETTE.len())]);
        }
        2 if !chars.is_empty() => {
            let at = rng.random_range(0..chars.len());
            chars[at] = PALETTE[rng.random_range(0..PALETTE.len())];
        }
        3 => chars.truncate(rng.random_range(0..=chars.len())),
        _ => {
            // Duplicate or swap whole attributes.
            let mut parts: Vec<&str> = message.split(',').collect();
            let a = rng.random_range(0..parts.len());
            let b = rng.random_range(0..parts.len());
            if rng.random_bool(0.5) {
                parts.swap(a, b);
            } else {
                parts.insert(b, parts[a]);
            }
            return parts.join(",");
        }
    }
    chars.into_iter().collect()
}

#[test]
fn randomly_damaged_messages_never_panic_and_never_pass() {
    let seed = crate::test_seed::seed("scram", 0x7363_7261); // "scra"
    let mut rng = StdRng::seed_from_u64(seed);
    let verifier = example_verifier();
    for _ in 0..2_000 {
        // Client-first: whatever parses, parses back to what was sent.
        let message = mutate(CLIENT_FIRST, &mut rng);
        if let Ok(start) = ServerStart::receive_client_first(&message) {
            let rebuilt = format!(
                "n,,n={},r={}",
                escape_name(start.username()),
                start.client_nonce
            );
            assert!(message.starts_with(&rebuilt), "seed {seed}: {message:?}");
        }

        // Server-first: the same.
        let message = mutate(SERVER_FIRST, &mut rng);
        if let Ok(challenge) = parse_server_first(&message, CLIENT_NONCE) {
            let rebuilt = format!(
                "r={},s={},i={}",
                challenge.nonce,
                base64::encode(&challenge.salt),
                challenge.iterations
            );
            assert!(message.starts_with(&rebuilt), "seed {seed}: {message:?}");
        }

        // Client-final: any change at all is refused, since the proof covers
        // every byte before it and the proof itself has one spelling.
        let message = mutate(CLIENT_FINAL, &mut rng);
        let result = example_server_for(Some(&verifier)).receive_client_final(&message);
        if message != CLIENT_FINAL {
            assert!(result.is_err(), "seed {seed}: accepted {message:?}");
        }

        // Server-final: only extensions after the signature may be added.
        let message = mutate(SERVER_FINAL, &mut rng);
        if example_client_final()
            .receive_server_final(&message)
            .is_ok()
        {
            let rest = message.strip_prefix(SERVER_FINAL);
            assert!(
                rest.is_some_and(|rest| rest.is_empty() || rest.starts_with(',')),
                "seed {seed}: accepted {message:?}"
            );
        }
    }
}
