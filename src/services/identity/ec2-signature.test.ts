import { strict as assert } from 'node:assert'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'
import { signV2, signV4, verifyEc2Signature } from './ec2-signature.js'

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'

describe('EC2 request signatures', () => {
  it('computes the AWS Signature Version 4 test-suite vector (get-vanilla)', () => {
    const signature = signV4(SECRET, {
      access: 'AKIDEXAMPLE',
      signature: '',
      host: 'example.amazonaws.com',
      verb: 'GET',
      path: '/',
      params: {},
      headers: {
        Host: 'example.amazonaws.com',
        'X-Amz-Date': '20150830T123600Z',
        Authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=x',
      },
    })
    assert.equal(signature, '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31')
  })

  it('verifies a V2 signature and refuses a tampered request or another secret', () => {
    const req = {
      access: 'ak',
      host: 'cloud.example:8773',
      verb: 'POST',
      path: '/services/Cloud/',
      params: {
        Action: 'DescribeInstances',
        AWSAccessKeyId: 'ak',
        SignatureMethod: 'HmacSHA256',
        SignatureVersion: '2',
        Timestamp: '2026-11-22T10:00:00Z',
      },
      headers: {},
      signature: '',
    }
    const toSign = [
      'POST',
      'cloud.example:8773',
      '/services/Cloud/',
      'AWSAccessKeyId=ak&Action=DescribeInstances&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2026-11-22T10%3A00%3A00Z',
    ].join('\n')
    const signature = createHmac('sha256', 'secret').update(toSign).digest('base64')
    assert.equal(signV2('secret', req), signature)
    assert.equal(verifyEc2Signature('secret', { ...req, signature }), true)
    assert.equal(verifyEc2Signature('other', { ...req, signature }), false)
    assert.equal(
      verifyEc2Signature('secret', {
        ...req,
        signature,
        params: { ...req.params, Action: 'TerminateInstances' },
      }),
      false,
    )
  })
})
