use h1_parser::*;

#[test]
fn smoke() {
    let buf = b"GET /a?b HTTP/1.1\r\nHost: x\r\nX-A:  v v \r\n\r\nrest";
    let mut p = Parser::new();
    let r = p.parse(buf).unwrap().complete().unwrap();
    assert_eq!(r.method(), Method::Get);
    assert_eq!(r.target(), "/a?b");
    assert_eq!(r.headers().get("x-a"), Some(&b"v v"[..]));
    assert_eq!(r.head_len(), buf.len() - 4);
    for i in 0..buf.len() {
        let mut p = Parser::new();
        let _ = p.parse(&buf[..i]).unwrap();
        let r2 = p.parse(buf).unwrap().complete().unwrap();
        assert_eq!(r2.head_len(), buf.len() - 4);
    }
}
