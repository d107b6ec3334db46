import { describe, expect, it } from "vitest";
import { throttleAddress } from "../../app/auth/rate-limit.server";

// The login throttle counts per (account, address). An IPv6 client is given a whole /64, so it is
// counted by that prefix; an IPv4 client by its full address, however it is written.
describe("throttleAddress", () => {
  it("keeps an IPv4 address whole", () => {
    expect(throttleAddress("203.0.113.7")).toBe("203.0.113.7");
    expect(throttleAddress("203.0.113.8")).toBe("203.0.113.8");
    expect(throttleAddress("127.0.0.1")).toBe("127.0.0.1");
  });

  it("an IPv4-mapped IPv6 address is the IPv4 address it carries, in either spelling", () => {
    expect(throttleAddress("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(throttleAddress("::FFFF:203.0.113.7")).toBe("203.0.113.7");
    expect(throttleAddress("::ffff:cb00:7107")).toBe("203.0.113.7");
    expect(throttleAddress("0:0:0:0:0:ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(throttleAddress("::ffff:203.0.113.8")).not.toBe(throttleAddress("::ffff:203.0.113.7"));
  });

  it("every address of one IPv6 /64 gets the same key, however it is written", () => {
    const key = throttleAddress("2001:db8:1:2::1");
    expect(key).toBe("2001:db8:1:2::/64");
    for (const address of [
      "2001:db8:1:2::2",
      "2001:db8:1:2:ffff:ffff:ffff:ffff",
      "2001:0DB8:0001:0002:0000:0000:0000:00ff",
      "2001:db8:1:2:a:b:c:d",
      "2001:db8:1:2:0:0:203.0.113.7",
      "2001:db8:1:2::abcd%eth0",
    ]) {
      expect(throttleAddress(address), address).toBe(key);
    }
  });

  it("different /64 prefixes get different keys", () => {
    const keys = [
      "2001:db8:1:2::1",
      "2001:db8:1:3::1",
      "2001:db8:0:0:1::1",
      "2001:db9:1:2::1",
      "::1",
      "fe80::1",
    ].map(throttleAddress);
    expect(new Set(keys).size).toBe(keys.length);
    expect(throttleAddress("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(throttleAddress("::1")).toBe("0:0:0:0::/64");
  });

  it("keeps anything that is not an IP address as it is", () => {
    for (const other of ["unknown", "", "not an address", "2001:db8:::1", "1.2.3.256"])
      expect(throttleAddress(other), other).toBe(other);
  });
});
